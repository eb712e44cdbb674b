"""A fresh clone anywhere passes its tests: no test reads data from outside the repository,
and every data file the tests keep is described (source, licence, published figures) in
tests/data/README.md."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
#: Spellings of a path that leaves the repository: the workspace's shared folder, an absolute
#: path under /work, or the parent of the checkout.
OUTSIDE = re.compile(r"""["'](?:\.\./+shared|/work/|\.\./\.\./)|CXLENS_SHARED|parents\[2\] / "shared\"""")


def test_no_test_reads_outside_the_repository() -> None:
    found = [f"{p.relative_to(TESTS)}:{i}: {line.strip()}"
             for p in sorted(TESTS.rglob("*.py")) if p != Path(__file__).resolve()
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
             if OUTSIDE.search(line)]
    assert not found, "tests that read outside the repository (copy the data into " \
        "tests/data/ and describe it in tests/data/README.md):\n" + "\n".join(found)


def test_every_data_file_is_described() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    files = [p for p in DATA.rglob("*") if p.is_file() and p.name != "README.md"]
    assert files
    missing = [str(p.relative_to(DATA)) for p in files if p.name not in readme]
    assert not missing, f"describe these in tests/data/README.md: {missing}"
    for heading in ("Source", "Licence", "Published figures"):
        assert readme.count(f"**{heading}") >= 2, heading
