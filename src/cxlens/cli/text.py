"""cxlens sentiment and cxlens themes: text analytics of survey comments and social mentions,
offline (models ship inside installed packages; nothing is downloaded)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from cxlens.cli.options import check_from, check_to
from cxlens.cli.output import Format, FormatOption, console, emit, emit_json
from cxlens.cli.warehouse import DbOption, open_warehouse

if TYPE_CHECKING:
    import pandas as pd

SUMMARY_SHOWN = ["group", "month", "n", "positive", "neutral", "negative", "net", "net_ci_low",
                 "net_ci_high", "mean", "mean_ci_low", "mean_ci_high"]
SUMMARY_PERCENT = ("positive", "neutral", "negative")
EVALUATION_SHOWN = ["model", "against", "n", "accuracy", "accuracy_ci_low", "accuracy_ci_high",
                    "macro_f1", "auc", "auc_ci_low", "auc_ci_high"]
THEMES_SHOWN = ["theme", "label", "comments", "share", "share_ci_low", "share_ci_high",
                "sentiment", "outcome", "effect", "effect_ci_low", "effect_ci_high", "q_value",
                "low_share", "n_with", "flag"]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    from cxlens.web.charts import records

    return records(frame)


def _percent(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    out = frame.copy()
    for c in columns:
        if c in out:
            out[c] = (100 * out[c].astype(float)).round(1)
    return out


def register(app: typer.Typer) -> None:
    @app.command("sentiment")
    def sentiment_cmd(
        source: Annotated[str, typer.Option(
            "--source", help="comments (survey \"Why?\" answers) or mentions (social).")]
        = "comments",
        model: Annotated[str, typer.Option(
            "--model", help="vader (lexicon + rules for negation, intensity, 'but') or "
                            "lexicon (the plain word-list baseline).")] = "vader",
        start: Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD); "
                                                  "default: a year before --to.",
                                                  callback=check_from)] = None,
        end: Annotated[str | None, typer.Option("--to", help="Last day, included; default: "
                                                "the latest text.",
                                                callback=check_to)] = None,
        fmt: FormatOption = Format.table,
        db: DbOption = None,
    ) -> None:
        """Sentiment of comments or mentions: shares positive / neutral / negative, net
        sentiment (% positive − % negative) and mean score, by survey (comments) or brand
        (mentions) and month, with n and 95 % intervals; and how both models agree with the
        labels the data has (mentions' stored sentiment; comments' NPS and CSAT groups)."""
        import pandas as pd

        from cxlens.text.sentiment import check_model
        from cxlens.text.sentiment_summary import sentiment_summary
        from cxlens.text.source import check_source

        check_source(source)
        check_model(model)
        with open_warehouse(db) as wh:
            s = sentiment_summary(wh, source, model, start, end)
        if fmt is Format.json:
            emit_json({"source": s.source, "model": s.model, "from": str(s.first),
                       "to": str(s.last), "overall": _records(s.overall),
                       "monthly": _records(s.monthly), "evaluation": _records(s.evaluation),
                       "by_score": _records(s.by_score)})
            return
        if fmt is Format.csv:
            emit(pd.concat([s.overall, s.monthly], ignore_index=True), fmt)
            return
        title = f"{source} sentiment ({model}), {s.first} – {s.last}"
        emit(_percent(s.overall[SUMMARY_SHOWN], SUMMARY_PERCENT).round(3), fmt, title)
        emit(_percent(s.monthly[SUMMARY_SHOWN], SUMMARY_PERCENT).round(3), fmt, "by month")
        if len(s.evaluation):
            emit(s.evaluation[EVALUATION_SHOWN].dropna(axis=1, how="all").round(3), fmt,
                 "agreement with the labels in the data")
        console.print("positive/neutral/negative: % of texts (compound ≥ 0.05 / between / "
                      "≤ −0.05); net: % positive − % negative, points; mean: compound "
                      "score −1…1", highlight=False)

    @app.command("themes")
    def themes_cmd(
        start: Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD); "
                                                  "default: a year before --to.",
                                                  callback=check_from)] = None,
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
        from cxlens.text.themes import themes

        with open_warehouse(db) as wh:
            r = themes(wh, start, end, k=k, seed=seed)
        if fmt is Format.json:
            emit_json({"from": str(r.first), "to": str(r.last), "comments": r.n_comments,
                       "k": r.k, "k_rule": r.rule, "model": r.model,
                       "silhouette": {str(c): v for c, v in r.silhouette.items()},
                       "themes": _records(r.themes), "effects": _records(r.effects),
                       "trend": _records(r.trend)})
            return
        if fmt is Format.csv:
            emit(r.themes.assign(examples=r.themes["examples"].map(" | ".join)), fmt)
            return
        shown = _percent(r.themes[THEMES_SHOWN],
                         ("share", "share_ci_low", "share_ci_high", "low_share"))
        emit(shown.round(3), fmt, f"themes in {r.n_comments:,} comments, {r.first} – {r.last}: "
             f"k {r.k} ({r.rule})")
        for line in r.themes["sentence"]:
            console.print(f"• {line}", highlight=False, soft_wrap=True)
        console.print("share: % of comments; effect: NPS or CSAT points, commenters with − "
                      "without the theme; low_share: % of detractor (NPS 0–6) or dissatisfied "
                      "(CSAT bottom two) comments in the theme", highlight=False)
