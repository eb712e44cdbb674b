"""The support-cohort NPS page: relational NPS by support history in the 90 days before
answering, each cohort's gap to a reference cohort and the sentence that sums it up."""

from __future__ import annotations

import pandas as pd

from cxlens.errors import CxlensError
from cxlens.insights import cohorts as cohort_lib
from cxlens.present import charts
from cxlens.present.model import Chart, Page, PageCtx
from cxlens.present.pages._common import company_wide, control, fig, option, rows_of

#: The filters the page reads (URL names).
USES = {"cohorts": ("from", "to")}

def cohorts(ctx: PageCtx) -> Page:
    """Relational NPS by support history in the 90 days before answering, each cohort's gap
    to the reference cohort (option ``reference``) and the sentence that sums it up."""
    company_wide(ctx, "Support-cohort NPS")
    names = (*cohort_lib.COHORTS, *cohort_lib.COMBINED)
    named = cohort_lib.NAMES
    reference = option(ctx, "reference", cohort_lib.REFERENCE, names)
    page = Page("cohorts", "Relational NPS by support history")
    page.extra |= {"reference": reference, "open": ["cohorts"], "uses": list(USES["cohorts"]),
                   "controls": [control("reference", "Compared with", reference,
                                        [(c, named[c]) for c in names])]}
    try:
        table = cohort_lib.cohort_nps(ctx.wh, ctx.filters.start, ctx.filters.end,
                                      reference=reference)
    except CxlensError as exc:  # no contacts or no answers: said on the page
        page.notes.append(f"{exc.message} ({exc.hint}).")
        return page
    page.tables["cohorts"] = table = table.copy()
    # NPS and its gaps in points as the cards write them ("-11.0", "+30.2"), not "-11.01"
    table.attrs["units"] = dict.fromkeys(("nps", "nps_ci_low", "nps_ci_high"), "points")
    table.attrs["changes"] = dict.fromkeys(("gap", "gap_ci_low", "gap_ci_high"), "points")
    ref_n = int(table.loc[table["cohort"] == reference, "n"].iloc[0])
    for r in rows_of(table):
        page.figures.append(fig(f"nps:{r['cohort']}", f"NPS: {r['description']}", "points",
                                r["nps"], r["n"], r["nps_ci_low"], r["nps_ci_high"], r["flag"]))
    for r in rows_of(table[table["cohort"] != reference]):
        gap = f"Gap: {named[r['cohort']]} − {named[reference]}"
        page.figures.append(fig(f"gap:{r['cohort']}", gap,
                                "points", r["gap"], int(r["n"]) + ref_n, r["gap_ci_low"],
                                r["gap_ci_high"], r["flag"]))
    shown = table.assign(label=table["cohort"].map(named))  # names, not ids
    page.charts.append(Chart("nps", "Relational NPS by support history (95 % interval)",
                             charts.intervals(_values(shown, "nps"), "label", "NPS"),
                             "cohorts"))
    page.charts.append(Chart("gaps", f"Gap to {named[reference].lower()} in NPS "
                             "points (95 % interval)",
                             charts.intervals(_values(shown[shown["cohort"] != reference],
                                                      "gap"), "label", "NPS points"),
                             "cohorts"))
    page.extra["findings"] = [_sentence(cohort_lib.headline(table))]
    a = table.attrs
    page.notes.append(
        f"Relational NPS answers {a['from']} – {a['to']}, each put in one cohort by the "
        f"customer's contacts in the {a['window_days']} days before answering (the worst "
        f"experience wins: {', '.join(named[c].lower() for c in cohort_lib.COHORTS)}); "
        "zero reopens combines the last three. Gaps: difference to the reference with a Wald "
        "interval, the NPS z test and "
        "Benjamini–Hochberg q-values (table). Cohorts under 50 answers are flagged.")
    page.extra |= {"period": {"from": a["from"], "to": a["to"]},
                   "window_days": a["window_days"]}
    return page


def _values(frame: pd.DataFrame, col: str) -> pd.DataFrame:
    return pd.DataFrame({"label": frame["label"], "value": frame[col],
                         "ci_low": frame[f"{col}_ci_low"], "ci_high": frame[f"{col}_ci_high"],
                         "n": frame["n"], "flag": frame["flag"]})


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
