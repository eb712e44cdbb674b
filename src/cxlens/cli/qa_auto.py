"""cxlens qa auto: AutoQA on every conversation with a transcript, stored as reviews by the
reviewer ``machine`` (apart from the people's), with its agreement with the people per
criterion and the groups that fail a check more than the others (the library is
:mod:`cxlens.qa.machine`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cxlens.cli.output import Format, console, emit, emit_json
from cxlens.cli.qa import Output, OutputOption, ScorecardsOption, _cards, _records, qa_app
from cxlens.cli.warehouse import DbOption, open_warehouse
from cxlens.format import decimal, percent

if TYPE_CHECKING:
    import pandas as pd

#: Krippendorff's lowest α for tentative conclusions (cxlens.qa.machine.TRUSTED; repeated so
#: `cxlens --help` need not import the QA library, a test checks they agree).
TRUSTED = 0.667


def _interval(low: float, high: float, digits: int = 2) -> str:
    return "" if low != low or high != high else \
        f"{decimal(low, digits)} to {decimal(high, digits)}"


def _agreement_table(frame: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({
        "criterion": frame["scorecard"] + "." + frame["criterion"],
        "checks": frame["checks"],
        "alpha": [decimal(a, 2) for a in frame["alpha"]],
        "95% interval": [_interval(lo, hi) for lo, hi in zip(frame["ci_low"],
                                                               frame["ci_high"], strict=True)],
        "kappa": [decimal(k, 2) for k in frame["kappa"]],
        "kappa 95% interval": [_interval(lo, hi) for lo, hi in zip(
            frame["kappa_low"], frame["kappa_high"], strict=True)],
        "n": frame["n_units"],
        "same pass/fail": [percent(v, "share", 0) for v in frame["same_pass"]],
        "machine − people": [decimal(v, 1, signed=True) for v in frame["deviation"]],
        "verdict": ["trusted" if t else "not trusted" for t in frame["trusted"]],
    })


def _groups_table(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({
        "check": frame["check"], by: frame[by], "n": frame["n"],
        "fail rate": [percent(v, "share", 0) for v in frame["rate"]],
        "95% interval": [f"{percent(lo, 'share', 0)} to {percent(hi, 'share', 0)}"
                         for lo, hi in zip(frame["ci_low"], frame["ci_high"], strict=True)],
        "everyone else": [percent(v, "share", 0) for v in frame["others"]],
    })


@qa_app.command("auto")
def auto_cmd(
    checks: Annotated[Path | None, typer.Option(
        "--checks", help="AutoQA checks YAML of your own (default: the built-in "
                         "src/cxlens/qa/checks.yaml).")] = None,
    by: Annotated[str, typer.Option(
        help="Show the groups that fail a check more than everyone else, by team, site, "
             "vendor or agent_id.")] = "team",
    trusted: Annotated[float, typer.Option(
        help="Lowest Krippendorff's α at which a criterion's machine scores are trusted.")]
    = TRUSTED,
    resamples: Annotated[int, typer.Option(help="Bootstrap resamples for the intervals of α "
                                                "and κ.")]
    = 1000,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
    scorecards: ScorecardsOption = None,
    fmt: OutputOption = Output.table,
    db: DbOption = None,
) -> None:
    """Run the AutoQA checks on every conversation with a transcript and store the results as
    reviews by the reviewer "machine", kept apart from the people's reviews (a re-run
    replaces them). Prints each check's pass / fail / n/a counts, the machine's agreement
    with the people per criterion (Krippendorff's α and Cohen's κ on pass/fail with bootstrap
    95 % intervals; α below --trusted makes the criterion "not trusted") and the groups whose fail
    rate's interval lies above everyone else's rate."""
    from cxlens.qa import checks as checks_mod
    from cxlens.qa import machine

    machine.check_group(by)
    cards = _cards(scorecards)
    spec = checks_mod.load(checks) if checks is not None else checks_mod.builtin()
    with open_warehouse(db) as wh:
        run = machine.run(wh, checks=spec, scorecards=cards)
        agree = machine.agreement(wh, checks=spec, scorecards=cards, resamples=resamples,
                                  seed=seed, trusted=trusted)
        groups = machine.fail_rates(wh, by)
    above = groups[groups["flag"] == "above"]
    if fmt is Output.json:
        emit_json({"conversations": run.conversations, "checks": _records(run.results),
                   "trusted_alpha": trusted, "agreement": _records(agree),
                   "by": by, "above": _records(above)})
        return
    console.print(f"checked {run.conversations} conversation(s) with a transcript; stored "
                  f"{run.review_rows} criterion score(s) as reviewer \"machine\" (kept apart "
                  "from the people's reviews in qa_reviews)", highlight=False)
    if not run.conversations:
        console.print("no transcripts: import them into transcript_turns (presets "
                      "chat-transcripts, call-transcripts)", highlight=False)
        return
    emit(run.results, Format.table, "checks: conversations that pass, fail, or where the "
         "check does not apply")
    if agree["n_units"].sum() == 0:
        console.print("no conversation was scored by both a person and the machine: no "
                      "agreement to show", highlight=False)
    else:
        emit(_agreement_table(agree), Format.table,
             "agreement with the people (Krippendorff's α and Cohen's κ on pass/fail)")
        low = agree[~agree["trusted"]]
        if len(low):
            console.print(f"not trusted (α below {trusted:g}, Krippendorff's lowest for "
                          "tentative conclusions, or undefined): "
                          + ", ".join(low["scorecard"] + "." + low["criterion"]),
                          highlight=False)
    if len(above):
        emit(_groups_table(above, by), Format.table,
             f"by {by}: fail rate 10 points or more above everyone else's (the interval "
             "lies wholly above)")
    else:
        console.print(f"no {by} fails a check clearly more often than everyone else",
                      highlight=False)
