"""Imports point down: no domain module imports the presentation layer (``cxlens.present``,
charts included: a domain module returns data, not charts), the dashboard, the reports or the
CLI; the presentation layer imports none of the last three, and the reports (which render the
presentation layer's page models) import neither the dashboard nor the CLI.

Every module under src/cxlens is parsed with ``ast`` (nothing is imported); an import of
``cxlens.web``, ``cxlens.reports`` or ``cxlens.cli`` (``import``, ``from ... import``,
``from cxlens import web``, inside a function too) from a domain package or a top-level module
fails, unless it is on ``ALLOWED`` below. The allow-list can only shrink: an entry whose import
has gone fails too, so it is removed when its module is fixed.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "cxlens"
DOMAIN = ("metrics", "stats", "insights", "casemix", "text", "qa", "contracts", "alerts",
          "loop", "surveys", "ingest", "store", "demo", "accounts", "connectors")
#: Charts are presentation (``cxlens.present.charts``, the key drivers' quadrant chart too): a
#: domain module returns data and the presentation layer draws it.
UPPER = ("cxlens.web", "cxlens.reports", "cxlens.cli", "cxlens.present")
#: The presentation layer sits above the domain and below the dashboard, reports and CLI.
PRESENT_MAY_NOT = ("cxlens.web", "cxlens.reports", "cxlens.cli")
#: The reports render the presentation layer's page models: beside it, not on the dashboard.
REPORTS_MAY_NOT = ("cxlens.web", "cxlens.cli")

#: (module, imported module) known to point up, to be fixed — never added to.
ALLOWED = {
    # the reference documentation is generated from the CLI's commands and options, and
    # names the commands that may create a warehouse
    ("cxlens.docgen", "cxlens.cli.app"),
    ("cxlens.docgen", "cxlens.cli.warehouse"),
}


def _module(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _checked(module: str) -> bool:
    """A module of a domain package, or a top-level module (``cxlens.erase``)."""
    parts = module.split(".")
    if len(parts) < 2 or _upward(module):
        return False
    if len(parts) == 2 and not (SRC / parts[1]).is_dir():
        return True
    return parts[1] in DOMAIN


def _imports(path: Path, module: str) -> set[str]:
    """Every module ``path`` imports, absolute (relative imports resolved)."""
    out: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            if base == "cxlens" or base in UPPER:  # from cxlens import web; ... web import x
                out.update(f"{base}.{a.name}" for a in node.names)
            else:
                out.add(base)
    return out


def _upward(name: str) -> str | None:
    for upper in UPPER:
        if name == upper or name.startswith(upper + "."):
            return upper
    return None


def _violations() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in sorted(SRC.rglob("*.py")):
        module = _module(path)
        if not _checked(module):
            continue
        found.update((module, name) for name in _imports(path, module) if _upward(name))
    return found


def test_the_walk_sees_the_packages() -> None:
    checked = {_module(p) for p in SRC.rglob("*.py") if _checked(_module(p))}
    assert {"cxlens.insights.drivers", "cxlens.metrics.definition", "cxlens.erase",
            "cxlens.demo.followup", "cxlens.accounts.audit", "cxlens.accounts.users"} <= checked
    assert "cxlens.webhooks" in checked
    assert not any(_upward(m) for m in checked)


def test_an_upward_import_is_caught() -> None:
    src = SRC / "insights" / "drivers.py"
    assert _upward("cxlens.webhooks") is None  # a sibling module, not the web package
    assert _upward("cxlens.web.charts") == "cxlens.web"
    assert "cxlens.stats.replicates" in _imports(src, "cxlens.insights.drivers")
    assert not any(_upward(n) for n in _imports(src, "cxlens.insights.drivers"))


def test_domain_modules_do_not_import_web_reports_or_cli() -> None:
    found = _violations()
    new = sorted(found - ALLOWED)
    assert not new, f"domain modules import the layers above them: {new}"
    fixed = sorted(ALLOWED - found)
    assert not fixed, f"no longer imported: remove from ALLOWED: {fixed}"


def _imported_from(package: str, forbidden: tuple[str, ...]) -> list[tuple[str, str]]:
    """(module, import) of every module under ``package`` importing one of ``forbidden``."""
    return sorted((_module(p), name) for p in sorted((SRC / package).rglob("*.py"))
                  for name in _imports(p, _module(p))
                  if any(name == u or name.startswith(u + ".") for u in forbidden))


def test_the_presentation_layer_does_not_import_web_reports_or_cli() -> None:
    found = _imported_from("present", PRESENT_MAY_NOT)
    assert not found, f"cxlens.present imports the layers above it: {found}"


def test_the_reports_do_not_import_the_dashboard_or_the_cli() -> None:
    found = _imported_from("reports", REPORTS_MAY_NOT)
    assert not found, f"cxlens.reports imports the dashboard or the CLI: {found}"


def test_an_import_of_the_dashboard_from_the_reports_is_caught(tmp_path: Path) -> None:
    """The check itself: the imports the report modules used to have are found."""
    src = tmp_path / "model.py"
    src.write_text("from cxlens.web import views\nfrom cxlens.web.filters import Filters\n"
                   "from cxlens.present.model import Page\n", encoding="utf-8")
    found = {n for n in _imports(src, "cxlens.reports.model")
             if any(n == u or n.startswith(u + ".") for u in REPORTS_MAY_NOT)}
    assert found == {"cxlens.web.views", "cxlens.web.filters"}


def test_a_domain_import_of_the_presentation_layer_is_caught() -> None:
    assert _upward("cxlens.present.charts") == "cxlens.present"
    assert _upward("cxlens.format") is None  # the one formatter sits below every layer
    assert _checked("cxlens.contracts.statement") and not _checked("cxlens.present.charts")
