"""The one sentence that sums up a theme of customer comments, written from the figures
:mod:`cxlens.text.themes` computes (the domain returns numbers; how they read is decided here,
through the one formatter)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cxlens.format import as_float, count, p_short, percent, points
from cxlens.text.theme_stats import OUTCOMES

if TYPE_CHECKING:
    import pandas as pd


def sentence(label: str, row: Mapping[str, Any] | None, share: float) -> str:
    """E.g. "login, password, reset: 12.0 % of detractor comments, -31 NPS points vs others
    (95 % -40 to -22, q 0.001; n 47 with, 1,046 without)". ``row`` is the theme's headline
    effect (None when no NPS or CSAT commenter has the theme); ``share`` is 0–1."""
    if row is None:
        return f"{label}: {percent(share, 'share')} of comments (no NPS or CSAT answers to compare)"
    _, _, _, metric, low_name, _ = OUTCOMES[str(row["outcome"])]
    if as_float(row["effect_ci_low"]) is None:
        return (f"{label}: {percent(share, 'share')} of comments; every {metric} commenter has "
                "this theme, so there is no one to compare with")
    low = (f"{percent(row['low_share'], 'share')} of {low_name} comments"
           if as_float(row["low_share"]) is not None else f"no {low_name} comments")
    verdict = "" if bool(row["significant"]) else "; not significant after BH"
    small = "; small sample" if row["flag"] else ""
    return (f"{label}: {low}, {points(row['effect'], 0)} {metric} points vs others "
            f"(95 % {points(row['effect_ci_low'], 0)} to {points(row['effect_ci_high'], 0)}, "
            f"q {p_short(row['q_value'])}; n {count(row['n_with'])} with, "
            f"{count(row['n_without'])} without{verdict}{small})")


def with_sentences(themes: pd.DataFrame) -> pd.DataFrame:
    """The themes table (``ThemeResult.themes``) with its ``sentence`` column, for the page,
    the CLI and their JSON and CSV twins."""
    rows = [{str(k): v for k, v in r.items()} for r in themes.to_dict("records")]
    return themes.assign(sentence=[
        sentence(str(r["label"]), r if isinstance(r["outcome"], str) else None,
                 float(r["share"])) for r in rows])
