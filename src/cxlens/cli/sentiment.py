"""cxlens sentiment: sentiment of survey comments and social mentions, offline (the
lexicon ships inside an installed package; nothing is downloaded); ``cxlens sentiment train``
learns a model from the warehouse's own scored comments and stores it there."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cxlens.cli.figures import as_percent
from cxlens.cli.options import YearFromOption, check_to
from cxlens.cli.output import Format, FormatOption, console, emit, emit_json, json_records
from cxlens.cli.warehouse import DbOption, open_warehouse

if TYPE_CHECKING:
    import pandas as pd

SUMMARY_SHOWN = ["group", "month", "n", "positive", "neutral", "negative", "net", "net_ci_low",
                 "net_ci_high", "mean", "mean_ci_low", "mean_ci_high"]
SUMMARY_PERCENT = ("positive", "neutral", "negative")
EVALUATION_SHOWN = ["model", "against", "n", "accuracy", "accuracy_ci_low", "accuracy_ci_high",
                    "macro_f1", "baseline", "baseline_accuracy", "baseline_macro_f1", "auc",
                    "auc_ci_low", "auc_ci_high"]


def evaluation_table(evaluation: pd.DataFrame) -> pd.DataFrame:
    """The evaluation as people read it: each figure with its interval, through
    :mod:`cxlens.format`."""
    import pandas as pd

    from cxlens.format import count, decimal, interval, percent

    def two(v: object) -> str:
        return decimal(v, 2)

    rows = [{"held out": r["scheme"], "model": r["model"], "n": count(r["n"]),
             "accuracy": f"{percent(r['accuracy'], 'share')} "
                         f"({interval(r['accuracy_ci_low'], r['accuracy_ci_high'], 'share')})",
             "macro-F1": f"{two(r['macro_f1'])} ({two(r['macro_f1_ci_low'])} – "
                         f"{two(r['macro_f1_ci_high'])})",
             "AUC": f"{two(r['auc'])} ({two(r['auc_ci_low'])} – {two(r['auc_ci_high'])})"}
            for _, r in evaluation.iterrows()]
    return pd.DataFrame(rows)


def register(app: typer.Typer) -> None:
    sentiment_app = typer.Typer(invoke_without_command=True, no_args_is_help=False)
    app.add_typer(sentiment_app, name="sentiment")

    @sentiment_app.callback()
    def sentiment_cmd(
        ctx: typer.Context,
        source: Annotated[str, typer.Option(
            "--source", help="comments (survey \"Why?\" answers), mentions (social) or "
                             "tickets (the customer's words in conversation transcripts).")]
        = "comments",
        model: Annotated[str, typer.Option(
            "--model", help="auto (per source: the trained model or vader, whichever scores "
                            "the source's labelled texts better; without labels the trained "
                            "model only for the kind of text it learned from), trained, vader "
                            "(lexicon + rules for negation, intensity, 'but') or lexicon (the "
                            "plain word-list baseline).")] = "auto",
        start: YearFromOption = None,
        end: Annotated[str | None, typer.Option("--to", help="Last day, included; default: "
                                                "the latest text.",
                                                callback=check_to)] = None,
        fmt: FormatOption = Format.table,
        db: DbOption = None,
    ) -> None:
        """Sentiment of comments, mentions or tickets: shares positive / neutral / negative,
        net sentiment (% positive − % negative) and mean score, by survey (comments), brand
        (mentions) or vendor (tickets) and month, with n and 95 % intervals; and how both
        models agree with the labels the data has (mentions' stored sentiment; comments' NPS
        and CSAT groups)."""
        if ctx.invoked_subcommand:
            return
        import pandas as pd

        from cxlens.extras import require

        require("text")
        from cxlens.text.scoring import check_choice
        from cxlens.text.sentiment_summary import sentiment_summary
        from cxlens.text.source import check_source

        check_source(source)
        check_choice(model)
        with open_warehouse(db) as wh:
            s = sentiment_summary(wh, source, model, start, end)
        if fmt is Format.json:
            emit_json({"source": s.source, "model": s.model, "scored_by": s.note,
                       "from": str(s.first),
                       "to": str(s.last), "overall": json_records(s.overall),
                       "monthly": json_records(s.monthly), "evaluation": json_records(s.evaluation),
                       "by_score": json_records(s.by_score)})
            return
        if fmt is Format.csv:
            emit(pd.concat([s.overall, s.monthly], ignore_index=True), fmt)
            return
        title = f"{source} sentiment ({s.model}), {s.first} – {s.last}"
        emit(as_percent(s.overall[SUMMARY_SHOWN], SUMMARY_PERCENT).round(3), fmt, title)
        emit(as_percent(s.monthly[SUMMARY_SHOWN], SUMMARY_PERCENT).round(3), fmt, "by month")
        if len(s.evaluation):
            emit(s.evaluation[EVALUATION_SHOWN].dropna(axis=1, how="all").round(3), fmt,
                 "agreement with the labels in the data")
            for line in s.evaluation["verdict"].dropna():
                console.print(f"• {line}", highlight=False, soft_wrap=True)
        console.print(f"scored by the {s.note}", highlight=False, soft_wrap=True)
        from cxlens.text.scoring import label_rule

        console.print(f"positive/neutral/negative: % of texts ({s.model}: "
                      f"{label_rule(s.model)}); net: % positive − % negative, points; mean: "
                      "score −1…1", highlight=False)

    @sentiment_app.command("train")
    def train_cmd(
        labels: Annotated[Path | None, typer.Option(
            "--labels", help="Learn from this CSV (columns text, label: positive, neutral or "
                             "negative; optional date) instead of the warehouse's scored "
                             "comments.")] = None,
        kind: Annotated[str | None, typer.Option(
            "--kind", help="What the --labels file's texts are: comments, mentions or tickets. "
                           "Where a source has no labels to compare the models on, auto uses "
                           "the trained model only for this kind (the warehouse's own "
                           "comments are comments).")] = None,
        store: Annotated[bool, typer.Option(
            "--store/--no-store", help="Keep the model in the warehouse (auto then uses it "
                                       "where it measures better, see --model); --no-store "
                                       "only evaluates.")] = True,
        fmt: FormatOption = Format.table,
        db: DbOption = None,
    ) -> None:
        """Train a sentiment model on the warehouse's scored comments (NPS promoters and CSAT
        top-two-box positive, detractors and bottom-two-box negative; passives and CSAT 3
        left out) or on a labelled CSV; print its evaluation — accuracy, macro-F1 and AUC with
        95 % intervals under 5-fold cross-validation and a time holdout, beside always
        answering the commonest label and the vader lexicon model on the same texts — and
        store it in the warehouse, where auto uses it for each source it measures better on
        (or, without labels, for the kind of text it learned from)."""
        from cxlens.errors import ConfigError
        from cxlens.extras import require

        require("text", ["sklearn"])
        from cxlens.format import count
        from cxlens.text import model_store, training

        if kind is not None and labels is None:
            raise ConfigError("--kind describes a --labels file",
                              "drop --kind: the warehouse's scored comments are comments")
        with open_warehouse(db) as wh:
            data = (training.from_file(labels, kind) if labels is not None
                    else training.from_warehouse(wh))
            model, evaluation = training.train(data)
            model_id = (model_store.save(wh, model, evaluation, data.trained_on,
                                         len(data.texts), data.kind) if store else None)
        if fmt is Format.json:
            emit_json({"trained_on": data.trained_on, "n": len(data.texts),
                       "left_out": data.left_out, "classes": list(model.classes),
                       "kind": data.kind, "stored": model_id,
                       "evaluation": json_records(evaluation)})
            return
        if fmt is Format.csv:
            emit(evaluation, fmt)
            return
        emit(evaluation_table(evaluation), fmt,
             f"sentiment model trained on {count(len(data.texts))} {data.trained_on}")
        console.print(f"{count(data.left_out)} texts without a usable label were left out; "
                      f"labels: {', '.join(model.classes)}", highlight=False, soft_wrap=True)
        where = (f"for {data.kind} and wherever labels show it beats vader" if data.kind
                 else "wherever labels show it beats vader (--kind says which texts it suits)")
        console.print(f"stored: auto now uses it {where}; cxlens sentiment forget goes back "
                      "to vader" if model_id else
                      "not stored (--no-store)", highlight=False, soft_wrap=True)

    @sentiment_app.command("forget")
    def forget_cmd(db: DbOption = None) -> None:
        """Delete the stored sentiment models: texts are scored by the vader lexicon model
        again."""
        from cxlens.text import model_store

        with open_warehouse(db) as wh:
            gone = model_store.forget(wh)
        console.print(f"deleted {gone} stored sentiment model(s); vader scores texts again",
                      highlight=False)
