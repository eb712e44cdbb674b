"""Optional extras: a missing one stops the feature with the extra's name and the command that
installs it, and no module of the core imports an extra when it is imported."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cxlens.extras import EXTRAS, MissingExtra, require


def test_a_missing_package_names_the_extra_and_how_to_install_it() -> None:
    with pytest.raises(MissingExtra) as caught:
        require("pdf", ["cxlens_no_such_module"])
    assert caught.value.message == ("PDF printing (Playwright driving Chromium) needs "
                                    "cxlens_no_such_module, which is not installed (the "
                                    "optional extra 'pdf')")
    assert caught.value.hint.startswith("pip install 'cxlens[pdf]'")


def test_installed_extras_pass() -> None:
    for extra in EXTRAS:  # the test environment installs every extra
        require(extra)


# Imports every module of cxlens except the ones that exist to drive an extra, then lists the
# extras' packages that got imported.
PROBE = """
import json, pkgutil, importlib, sys
import cxlens
own = {"cxlens.store.pg", "cxlens.connectors.http", "cxlens.connectors.zendesk",
       "cxlens.connectors.freshdesk", "cxlens.connectors.accounts"}
for info in pkgutil.walk_packages(cxlens.__path__, "cxlens."):
    if info.name not in own:
        importlib.import_module(info.name)
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def test_no_core_module_imports_an_extra_at_import_time() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          timeout=300, check=True)
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    packages = {p for _, pkgs in EXTRAS.values() for p in pkgs}
    assert loaded.isdisjoint(packages), sorted(loaded & packages)
