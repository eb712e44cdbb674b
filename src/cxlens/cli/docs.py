"""cxlens docs: regenerate the documents that are generated from code."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cxlens.cli.output import console


def register(app: typer.Typer) -> None:
    @app.command("docs")
    def docs(
        folder: Annotated[Path, typer.Option("--out", help="Docs folder to write.")] = Path("docs"),
    ) -> None:
        """Regenerate docs/data-model.md, docs/cli.md and docs/metrics.md from the code."""
        from cxlens.docgen import write_docs

        folder.mkdir(parents=True, exist_ok=True)
        for path in write_docs(folder):
            console.print(f"wrote {path}", highlight=False)
