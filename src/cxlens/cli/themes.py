"""cxlens themes: themes in survey comments, offline (the embedding table ships inside an
installed package; nothing is downloaded)."""

from __future__ import annotations

from typing import Annotated

import typer

from cxlens.cli.figures import as_percent
from cxlens.cli.options import YearFromOption, check_to
from cxlens.cli.output import Format, FormatOption, console, emit, emit_json, json_records
from cxlens.cli.progress import working
from cxlens.cli.warehouse import DbOption, open_warehouse

THEMES_SHOWN = ["theme", "label", "comments", "share", "share_ci_low", "share_ci_high",
                "sentiment", "outcome", "effect", "effect_ci_low", "effect_ci_high", "q_value",
                "low_share", "n_with", "flag"]


def register(app: typer.Typer) -> None:
    @app.command("themes")
    def themes_cmd(
        start: YearFromOption = None,
        end: Annotated[str | None, typer.Option("--to", help="Last day, included; default: "
                                                "the latest answer.",
                                                callback=check_to)] = None,
        k: Annotated[int | None, typer.Option(
            "--k", help="Number of themes; default: chosen by silhouette (3–15).")] = None,
        seed: Annotated[int, typer.Option(help="Seed of the clustering (same seed, same "
                                               "themes).")] = 7,
        fmt: FormatOption = Format.table,
        db: DbOption = None,
    ) -> None:
        """Themes in survey comments: sentence embeddings clustered with k-means, each theme
        labelled by its top c-TF-IDF terms, with its volume (share of comments), monthly trend
        and effect on NPS or CSAT (with vs without the theme, 95 % interval,
        Benjamini–Hochberg q-value) and the share of detractor comments in it. Personal data
        is redacted before anything is embedded or shown."""
        from cxlens.extras import require

        require("text")
        from cxlens.format import p_short
        from cxlens.present.themes import with_sentences
        from cxlens.text.themes import themes

        with (open_warehouse(db) as wh,
              working("embedding comments and clustering them into themes")):
            r = themes(wh, start, end, k=k, seed=seed)
        table = with_sentences(r.themes)
        if fmt is Format.json:
            emit_json({"from": str(r.first), "to": str(r.last), "comments": r.n_comments,
                       "k": r.k, "k_rule": r.rule, "model": r.model,
                       "silhouette": {str(c): v for c, v in r.silhouette.items()},
                       "themes": json_records(table), "effects": json_records(r.effects),
                       "trend": json_records(r.trend)})
            return
        if fmt is Format.csv:
            emit(table.assign(examples=table["examples"].map(" | ".join)), fmt)
            return
        shown = as_percent(r.themes[THEMES_SHOWN],
                           ("share", "share_ci_low", "share_ci_high", "low_share")).round(3)
        shown["q_value"] = [p_short(q) for q in r.themes["q_value"]]  # "< 0.001", never "0"
        emit(shown, fmt, f"themes in {r.n_comments:,} comments, {r.first} – {r.last}: "
             f"k {r.k} ({r.rule})")
        for line in table["sentence"]:
            console.print(f"• {line}", highlight=False, soft_wrap=True)
        console.print("share: % of comments; effect: NPS or CSAT points, commenters with − "
                      "without the theme; low_share: % of detractor (NPS 0–6) or dissatisfied "
                      "(CSAT bottom two) comments in the theme", highlight=False)
