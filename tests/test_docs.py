"""Documents generated from code must be committed up to date; commands must be documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxlens.cli.docs import generated

GENERATED = generated()

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_docs_are_current(name: str) -> None:
    committed = (ROOT / "docs" / name).read_text(encoding="utf-8")
    assert committed == GENERATED[name](), f"docs/{name} is stale: run `cxlens docs`"


def test_every_column_is_documented() -> None:
    from cxlens.schema import TABLES

    text = (ROOT / "docs" / "data-model.md").read_text(encoding="utf-8")
    for table in TABLES.values():
        assert f"### {table.name}" in text
        for col in table.columns:
            assert col.meaning, f"{table.name}.{col.name} has no meaning"
            assert f"| `{col.name}` |" in text


def test_readme_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head = readme[: readme.index("\n## ")]
    assert "make demo" in head and "make test" in head
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


def test_every_dashboard_page_and_route_is_documented() -> None:
    from cxlens import store
    from cxlens.present.registry import PAGES
    from cxlens.web.app import create_app

    text = (ROOT / "docs" / "dashboard.md").read_text(encoding="utf-8")
    for page in PAGES:
        assert f"`/{page}`" in text, page
    with store.connect(":memory:") as wh:
        spec = create_app(wh).openapi()
    for path in spec["paths"]:
        if path.startswith("/api/"):
            assert f"`{path}`" in text, path
    assert "`/api/docs`" in text


def test_security_promises_name_tests_that_exist() -> None:
    """docs/security.md says which test holds each promise: every test file and test name it
    cites must exist, so a renamed or deleted test cannot leave a promise unguarded."""
    import re

    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    files = set(re.findall(r"tests/[\w/]+\.py", text))
    names = set(re.findall(r"\btest_\w+", text)) - {Path(f).stem for f in files}
    assert files and names
    missing = sorted(f for f in files if not (ROOT / f).is_file())
    assert not missing, f"docs/security.md cites missing test files: {missing}"
    defined = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        defined |= set(re.findall(r"^def (test_\w+)", path.read_text(encoding="utf-8"), re.M))
    assert not sorted(names - defined), \
        f"docs/security.md cites tests that do not exist: {sorted(names - defined)}"


def test_every_html_page_is_in_the_pages_reference() -> None:
    """docs/pages.md names every GET route of the app that answers with HTML (declared as
    HTML, or returning an ``HTMLResponse``), with its route module."""
    import inspect

    from fastapi.responses import HTMLResponse
    from fastapi.routing import iter_route_contexts

    from cxlens import store
    from cxlens.web.app import create_app

    text = (ROOT / "docs" / "pages.md").read_text(encoding="utf-8")
    with store.connect(":memory:") as wh:
        app = create_app(wh)
    html = []
    for r in iter_route_contexts(app.routes):
        if not r.methods or "GET" not in r.methods or r.endpoint is None:
            continue
        declared = getattr(r.original_route, "response_class", None)
        declared = getattr(declared, "value", declared)
        returns = inspect.signature(r.endpoint).return_annotation
        if declared is HTMLResponse or returns in (HTMLResponse, "HTMLResponse"):
            html.append(r.path)
    assert len(html) >= 40
    for path in html:
        assert f"| `{path}` |" in text, f"{path} is missing from docs/pages.md"
    assert "| `/overview` | `/api/pages/overview` | `cxlens.web.routes.performance` |" in text
    assert "| `/qa/coaching` | `/api/qa/coaching` | `cxlens.web.routes.qa_disputes` |" in text
    assert "| `/s/{token}` |  | `cxlens.web.routes.collect` |" in text
