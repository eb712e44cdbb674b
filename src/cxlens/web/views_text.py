"""The text pages: themes of the survey comments and the sentiment of comments and social
mentions (docs/text.md). Each shows what ``cxlens.text`` returns — tables unchanged for the JSON
twin and CSV, headline figures as cards with n and interval. Comments are shown redacted; the
pages are about every vendor's customers, so vendor viewers are refused."""

from __future__ import annotations

import pandas as pd

from cxlens.present import charts
from cxlens.present.themes import with_sentences
from cxlens.text.sentiment import MODELS
from cxlens.text.sentiment_summary import sentiment_summary
from cxlens.text.themes import themes as find
from cxlens.web.views import Chart, Page, PageCtx
from cxlens.web.views_insights import company_wide, control, fig, option, percent_frame

USES = {"themes": ("from", "to"), "sentiment": ("from", "to")}
SOURCES = ("comments", "mentions")
#: Example comments shown per theme.
EXAMPLES = 3


def themes(ctx: PageCtx) -> Page:
    """Themes by clustering the comments' embeddings, labelled with c-TF-IDF terms: volume,
    trend, sentiment and effect on NPS or CSAT, each with its interval and n."""
    company_wide(ctx, "Themes of customer comments")
    result = find(ctx.wh, ctx.filters.start, ctx.filters.end)
    page = Page("themes", "Themes in customer comments")
    table = with_sentences(result.themes)
    table["examples"] = [" | ".join(list(e)[:EXAMPLES]) if isinstance(e, list | tuple) else e
                         for e in table["examples"]]
    table["terms"] = [", ".join(t) if isinstance(t, list | tuple) else t
                      for t in table["terms"]]
    page.tables |= {"themes": table, "effects": result.effects, "trend": result.trend}
    for _, r in table.head(4).iterrows():
        page.figures.append(fig(f"share:{r['theme']}", f"{r['label']}: share of comments",
                                "share", r["share"], r["n"], r["share_ci_low"],
                                r["share_ci_high"], r["flag"]))
    effect = pd.DataFrame({"label": table["label"], "value": table["effect"],
                           "ci_low": table["effect_ci_low"], "ci_high": table["effect_ci_high"],
                           "n": table["n_with"], "flag": table["flag"]})
    page.charts.append(Chart("effects", "Each theme's effect on its score: commenters with − "
                             "without the theme, NPS or CSAT points (95 % interval)",
                             charts.intervals(effect.dropna(subset=["value"]), "label",
                                              "points"), "themes"))
    page.charts.append(Chart("volume", "Share of comments per theme, % (95 % interval)",
                             charts.intervals(percent_frame(table, "share"), "label",
                                              "% of comments"), "themes"))
    page.extra |= {"uses": list(USES["themes"]), "open": ["themes"],
                   "findings": [str(s) for s in table["sentence"]]}
    page.notes.append(
        f"{result.n_comments:,} comments from {result.first} to {result.last}; k = {result.k} "
        f"themes ({result.rule}); embeddings {result.model}. Effect: NPS (relational answers) "
        "or CSAT top-two-box (transactional) of commenters with the theme minus those without, "
        "Benjamini–Hochberg q across themes. Personal data in comments is redacted.")
    return page


def sentiment(ctx: PageCtx) -> Page:
    """Sentiment of survey comments or social mentions by survey or brand and month, with the
    models' agreement with the labels the data carries."""
    company_wide(ctx, "Sentiment of customer comments and mentions")
    src = option(ctx, "source", "comments", SOURCES)
    model = option(ctx, "model", "vader", tuple(MODELS))
    summary = sentiment_summary(ctx.wh, src, model, ctx.filters.start, ctx.filters.end)
    page = Page("sentiment", f"Sentiment of {src}")
    page.tables |= {"overall": summary.overall, "monthly": summary.monthly,
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
                                         ("mentions", "social mentions")]),
                                control("model", "Model", model,
                                        [(m, m) for m in MODELS])]}
    page.notes.append(
        f"{model} scores each text from −1 to 1 (positive ≥ 0.05, negative ≤ −0.05); net "
        "sentiment is % positive − % negative with its interval. The evaluation compares both "
        "models with the labels the data carries (mentions' sentiment, beside always answering "
        "the commonest label; comments' scores). "
        f"{summary.first} – {summary.last}.")
    return page
