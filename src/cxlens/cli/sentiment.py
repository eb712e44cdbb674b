"""cxlens sentiment: sentiment of survey comments and social mentions, offline (the
lexicon ships inside an installed package; nothing is downloaded)."""

from __future__ import annotations

from typing import Annotated

import typer

from cxlens.cli.figures import as_percent
from cxlens.cli.options import YearFromOption, check_to
from cxlens.cli.output import Format, FormatOption, console, emit, emit_json, json_records
from cxlens.cli.warehouse import DbOption, open_warehouse

SUMMARY_SHOWN = ["group", "month", "n", "positive", "neutral", "negative", "net", "net_ci_low",
                 "net_ci_high", "mean", "mean_ci_low", "mean_ci_high"]
SUMMARY_PERCENT = ("positive", "neutral", "negative")
EVALUATION_SHOWN = ["model", "against", "n", "accuracy", "accuracy_ci_low", "accuracy_ci_high",
                    "macro_f1", "baseline", "baseline_accuracy", "baseline_macro_f1", "auc",
                    "auc_ci_low", "auc_ci_high"]


def register(app: typer.Typer) -> None:
    @app.command("sentiment")
    def sentiment_cmd(
        source: Annotated[str, typer.Option(
            "--source", help="comments (survey \"Why?\" answers) or mentions (social).")]
        = "comments",
        model: Annotated[str, typer.Option(
            "--model", help="vader (lexicon + rules for negation, intensity, 'but') or "
                            "lexicon (the plain word-list baseline).")] = "vader",
        start: YearFromOption = None,
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

        from cxlens.extras import require

        require("text")
        from cxlens.text.sentiment import check_model
        from cxlens.text.sentiment_summary import sentiment_summary
        from cxlens.text.source import check_source

        check_source(source)
        check_model(model)
        with open_warehouse(db) as wh:
            s = sentiment_summary(wh, source, model, start, end)
        if fmt is Format.json:
            emit_json({"source": s.source, "model": s.model, "from": str(s.first),
                       "to": str(s.last), "overall": json_records(s.overall),
                       "monthly": json_records(s.monthly), "evaluation": json_records(s.evaluation),
                       "by_score": json_records(s.by_score)})
            return
        if fmt is Format.csv:
            emit(pd.concat([s.overall, s.monthly], ignore_index=True), fmt)
            return
        title = f"{source} sentiment ({model}), {s.first} – {s.last}"
        emit(as_percent(s.overall[SUMMARY_SHOWN], SUMMARY_PERCENT).round(3), fmt, title)
        emit(as_percent(s.monthly[SUMMARY_SHOWN], SUMMARY_PERCENT).round(3), fmt, "by month")
        if len(s.evaluation):
            emit(s.evaluation[EVALUATION_SHOWN].dropna(axis=1, how="all").round(3), fmt,
                 "agreement with the labels in the data")
            for line in s.evaluation["verdict"].dropna():
                console.print(f"• {line}", highlight=False, soft_wrap=True)
        console.print("positive/neutral/negative: % of texts (compound ≥ 0.05 / between / "
                      "≤ −0.05); net: % positive − % negative, points; mean: compound "
                      "score −1…1", highlight=False)
