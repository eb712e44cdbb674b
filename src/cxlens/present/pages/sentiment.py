"""The sentiment page: sentiment of survey comments, social mentions or tickets (the
customers' words in transcripts) by month, with the
models' agreement with the labels the data carries (docs/text.md). About every vendor's
customers, so vendor viewers are refused."""

from __future__ import annotations

import pandas as pd

from cxlens.present import charts
from cxlens.present.model import Chart, Page, PageCtx
from cxlens.present.pages._common import company_wide, control, fig, option
from cxlens.text.scoring import AUTO, CHOICES, label_rule
from cxlens.text.sentiment_summary import sentiment_summary

USES = {"sentiment": ("from", "to")}
SOURCES = ("comments", "mentions", "tickets")
MODEL_LABELS = {AUTO: "the better measured for these texts", "trained": "trained on your texts"}

def sentiment(ctx: PageCtx) -> Page:
    """Sentiment of survey comments, social mentions or tickets by survey, brand or vendor and
    month, with the models' agreement with the labels the data carries."""
    company_wide(ctx, "Sentiment of customer comments and mentions")
    src = option(ctx, "source", "comments", SOURCES)
    model = option(ctx, "model", AUTO, CHOICES)
    summary = sentiment_summary(ctx.wh, src, model, ctx.filters.start, ctx.filters.end)
    page = Page("sentiment", f"Sentiment of {src}")
    page.tables |= {"overall": _units(summary.overall), "monthly": _units(summary.monthly),
                    "evaluation": summary.evaluation, "by_score": summary.by_score}
    for _, r in summary.overall.iterrows():
        page.figures.append(fig(f"net:{r['group']}", f"Net sentiment, {r['group']}",
                                "points", r["net"], r["n"], r["net_ci_low"], r["net_ci_high"]))
    for _, r in summary.evaluation.iterrows():
        if pd.notna(r.get("auc")):
            page.figures.append(fig(f"auc:{r['model']}:{r['against']}",
                                    f"{r['model']}: AUC against {r['against']}", "ratio",
                                    r["auc"], r["n"], r["auc_ci_low"], r["auc_ci_high"]))
        elif pd.notna(r.get("accuracy")):
            page.figures.append(fig(f"accuracy:{r['model']}:{r['against']}",
                                    f"{r['model']}: accuracy against {r['against']}", "ratio",
                                    r["accuracy"], r["n"], r["accuracy_ci_low"],
                                    r["accuracy_ci_high"]))
    monthly = summary.monthly.rename(columns={"net": "value", "net_ci_low": "ci_low",
                                              "net_ci_high": "ci_high", "month": "period"})
    monthly = monthly[monthly["group"] == "all"].assign(flag=None)
    page.charts.append(Chart("net", "Net sentiment by month (% positive − % negative, 95 % "
                             "interval)", charts.trend(monthly, "net sentiment"), "monthly"))
    page.extra |= {"uses": list(USES["sentiment"]), "open": ["overall", "evaluation"],
                   "findings": [str(v) for v in summary.evaluation["verdict"].dropna()],
                   "controls": [control("source", "Texts", src,
                                        [("comments", "survey comments"),
                                         ("mentions", "social mentions"),
                                         ("tickets", "tickets (customers' words)")]),
                                control("model", "Model", model,
                                        [(m, MODEL_LABELS.get(m, m)) for m in CHOICES])]}
    page.notes.append(f"Scored by the {summary.note}.")
    page.notes.append(
        f"{summary.model} scores each text from −1 to 1 ({label_rule(summary.model)}); net "
        "sentiment is % positive − % negative with its interval. The evaluation compares both "
        "models with the labels the data carries (mentions' sentiment, beside always answering "
        "the commonest label; comments' scores; tickets carry none). "
        f"{summary.first} – {summary.last}.")
    return page


#: The summary's shares (0–1) and its net sentiment (points), as the cards write them.
SHARES = tuple(f"{side}{end}" for side in ("positive", "neutral", "negative")
               for end in ("", "_ci_low", "_ci_high"))
NET = ("net", "net_ci_low", "net_ci_high")


def _units(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its columns' units declared for the table renderer: the shares read
    "51.2 %" and net sentiment "+33.0" (as the cards), not 0.51 and 32.98."""
    out = frame.copy()
    out.attrs["units"] = {**{c: "share" for c in SHARES if c in out},
                          **{c: "points" for c in NET if c in out}}
    return out
