"""The themes page: themes of the survey comments (docs/text.md), as ``cxlens.text`` returns
them — tables unchanged for the JSON twin and CSV, headline figures as cards with n and
interval. Comments are shown redacted; the page is about every vendor's customers, so vendor
viewers are refused.

When themes are kept (``cxlens themes track``), the latest run is shown too, as the user named,
merged and pinned it: ``tracked`` (one row per kept theme, its stable id in ``theme``) and
``tracked_trend`` (its monthly share with Wilson intervals), read from the warehouse — the page
never runs the clustering it shows."""

from __future__ import annotations

import pandas as pd

from cxlens.present import charts
from cxlens.present.model import Chart, Page, PageCtx
from cxlens.present.pages._common import company_wide, fig, percent_frame
from cxlens.present.themes import with_sentences
from cxlens.text.theme_track import Tracked, latest
from cxlens.text.themes import themes as find

USES = {"themes": ("from", "to")}
#: Example comments shown per theme.
EXAMPLES = 3


def _joined(table: pd.DataFrame) -> pd.DataFrame:
    """Examples and terms as one text cell each (the table and its CSV)."""
    table = table.copy()
    table["examples"] = [" | ".join(list(e)[:EXAMPLES]) if isinstance(e, list | tuple) else e
                         for e in table["examples"]]
    table["terms"] = [", ".join(t) if isinstance(t, list | tuple) else t
                      for t in table["terms"]]
    return table


def _tracked(page: Page, kept: Tracked) -> None:
    table = _joined(with_sentences(kept.themes))
    page.tables |= {"tracked": table, "tracked_trend": kept.trend}
    charted = table.assign(label=_distinct(table))
    page.charts.append(Chart("tracked", "Kept themes (their names and ids run after run): "
                             "share of comments, % (95 % interval)",
                             charts.intervals(percent_frame(charted, "share"), "label",
                                              "% of comments"), "tracked"))
    r = kept.run
    new = table.loc[table["new"].astype(bool), "label"].tolist()
    page.notes.append(
        f"Kept themes: run {r['run_id']} of {r['ran_at']:%Y-%m-%d %H:%M} UTC over "
        f"{int(r['comments']):,} comments from {r['first_day']} to {r['last_day']} "
        f"(cxlens themes track; vectors {r['model']}), whatever the period chosen above; "
        "complaints, neutral comments and praise clustered apart; names, merges and pins "
        "are the users' "
        "(cxlens themes rename / merge / pin)."
        + (f" New in this run: {', '.join(map(str, new))}." if new else ""))


#: A theme's effect on NPS or CSAT and its interval: points, with or without it.
EFFECT_ENDS = ("effect", "effect_ci_low", "effect_ci_high")


def themes(ctx: PageCtx) -> Page:
    """Themes by clustering the comments' embeddings, labelled with c-TF-IDF terms: volume,
    trend, sentiment and effect on NPS or CSAT, each with its interval and n."""
    company_wide(ctx, "Themes of customer comments")
    result = find(ctx.wh, ctx.filters.start, ctx.filters.end)
    page = Page("themes", "Themes in customer comments")
    table = _joined(with_sentences(result.themes))
    effects = result.effects.copy()
    for frame in (table, effects):  # signed points, as the chart and the sentences say them
        frame.attrs["changes"] = dict.fromkeys(EFFECT_ENDS, "points")  # (not "4.19")
    page.tables |= {"themes": table, "effects": effects, "trend": result.trend}
    for _, r in table.head(4).iterrows():
        page.figures.append(fig(f"share:{r['theme']}", f"{r['label']}: share of comments",
                                "share", r["share"], r["n"], r["share_ci_low"],
                                r["share_ci_high"], r["flag"]))
    charted = table.assign(label=_distinct(table))
    effect = pd.DataFrame({"label": charted["label"], "value": table["effect"],
                           "ci_low": table["effect_ci_low"], "ci_high": table["effect_ci_high"],
                           "n": table["n_with"], "flag": table["flag"]})
    page.charts.append(Chart("effects", "Each theme's effect on its score: commenters with − "
                             "without the theme, NPS or CSAT points (95 % interval)",
                             charts.intervals(effect.dropna(subset=["value"]), "label",
                                              "points"), "themes"))
    page.charts.append(Chart("volume", "Share of comments per theme, % (95 % interval)",
                             charts.intervals(percent_frame(charted, "share"), "label",
                                              "% of comments"), "themes"))
    page.extra |= {"uses": list(USES["themes"]), "open": ["themes"],
                   "findings": [str(s) for s in table["sentence"]]}
    page.notes.append(
        f"{result.n_comments:,} comments from {result.first} to {result.last}; k = {result.k} "
        f"themes ({result.rule}); vectors {result.model} (cxlens themes vectors). Effect: NPS "
        "(relational answers) or CSAT top-two-box (transactional) of commenters with the "
        "theme minus those without, "
        "Benjamini–Hochberg q across themes. Personal data in comments is redacted.")
    kept = latest(ctx.wh)
    if kept is not None:
        _tracked(page, kept)
    return page


def _distinct(table: pd.DataFrame) -> pd.Series:
    """Each theme's label for a chart, its number added where two themes share one (a chart
    draws one row per label: two themes named "card, charged, twice" were drawn as one)."""
    labels = table["label"].astype(str)
    shared = labels.duplicated(keep=False)
    return labels.where(~shared, labels + " (theme " + table["theme"].astype(str) + ")")
