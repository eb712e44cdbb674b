"""cxlens presets: the built-in import mappings."""

from __future__ import annotations

import typer

from cxlens.cli.output import Format, FormatOption, emit


def register(app: typer.Typer) -> None:
    @app.command("presets")
    def presets(fmt: FormatOption = Format.table) -> None:
        """List the built-in import presets (helpdesk and ACD exports)."""
        import pandas as pd

        from cxlens.ingest.mapping import load_mapping, preset_names

        rows = []
        for name in preset_names():
            m = load_mapping(name)
            rows.append({"preset": name, "table": m.table, "sample": m.sample or "",
                         "description": m.description})
        emit(pd.DataFrame(rows), fmt, "presets")
