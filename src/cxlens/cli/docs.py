"""cxlens docs: regenerate the documents that are generated from code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from cxlens.cli.output import console


def generated() -> dict[str, Callable[[], str]]:
    """Every generated document by its path under docs/: the domain's (``cxlens.docgen``) and
    where each dashboard page lives (``cxlens.web.pagemap``)."""
    from cxlens.docgen import GENERATED
    from cxlens.web.pagemap import pages_doc

    return {**GENERATED, "pages.md": pages_doc}


def register(app: typer.Typer) -> None:
    @app.command("docs")
    def docs(
        folder: Annotated[Path, typer.Option("--out", help="Docs folder to write.")] = Path("docs"),
    ) -> None:
        """Regenerate docs/data-model.md, docs/cli.md, docs/metrics.md and docs/pages.md from
        the code."""
        from cxlens.docgen import write_docs

        folder.mkdir(parents=True, exist_ok=True)
        for path in write_docs(folder, generated()):
            console.print(f"wrote {path}", highlight=False)
