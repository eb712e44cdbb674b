"""Running the AutoQA checks (:mod:`cxlens.qa.checks`) on transcripts: every conversation gets
pass, fail or n/a for every check, with the turn that decided it and why in words, so a
person can see what the machine saw. Pure functions of the turns (a DataFrame), vectorised
per check; :mod:`cxlens.qa.machine` reads the warehouse and stores the results."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from cxlens.qa.checks import Check, Checks, pattern

PASS, FAIL, NA = "pass", "fail", "n/a"
RESULTS = (PASS, FAIL, NA)
COLUMNS = ("interaction_id", "check", "result", "turn", "evidence")
TURN_COLUMNS = ("interaction_id", "turn", "speaker", "spoken_at", "offset_seconds", "text")


def prepare(turns: pd.DataFrame) -> pd.DataFrame:
    """The turns sorted by conversation and turn, with ``secs``: the offset in seconds (from
    ``offset_seconds``, else from ``spoken_at`` less the conversation's first time)."""
    t = turns.reindex(columns=list(TURN_COLUMNS)).copy()
    t["interaction_id"] = t["interaction_id"].astype(str)
    t["turn"] = pd.to_numeric(t["turn"]).astype(np.int64)
    t = t.sort_values(["interaction_id", "turn"], kind="stable", ignore_index=True)
    t["text"] = t["text"].fillna("").astype(str)
    t["speaker"] = t["speaker"].astype(str)
    at = pd.to_datetime(t["spoken_at"], utc=True)
    from_times = (at - at.groupby(t["interaction_id"]).transform("min")).dt.total_seconds()
    t["secs"] = pd.to_numeric(t["offset_seconds"], errors="coerce").fillna(from_times)
    return t


def _rank(part: pd.DataFrame, where: str) -> pd.Series:
    return part.groupby("interaction_id").cumcount(ascending=where != "last")


def _which(check: Check) -> str:
    if check.where == "any":
        return f"the {check.speaker}'s turns"
    return f"the {check.speaker}'s {check.where} {check.turns} turn(s)"


def matches(texts: pd.Series, rx: Any) -> dict[str, str]:
    """text → the words ``rx`` finds in it, for the texts where it finds some; each distinct
    text searched once (the 10 M demo's 8.4 M turns are 51 sentences, and real
    agents repeat their scripts)."""
    found: dict[str, str] = {}
    for text in pd.unique(texts.to_numpy()):
        m = rx.search(text)
        if m is not None:
            found[text] = m.group(0)
    return found


def _found(part: pd.DataFrame, rx: Any) -> pd.DataFrame:
    """The first turn of each conversation in ``part`` that matches, with the words found."""
    words = matches(part["text"], rx)
    hit = part[part["text"].isin(list(words))]
    first = hit.groupby("interaction_id", sort=False).head(1)
    return first.assign(match=first["text"].map(words))


def _quoted(found: pd.DataFrame, ids: pd.Index) -> npt.NDArray[np.object_]:
    """``turn N: "words"`` per conversation of ``ids`` (empty where nothing was found)."""
    f = found.reindex(ids)
    return np.array([f'turn {int(n)}: "{m}"' if isinstance(m, str) else ""
                     for n, m in zip(f["turn"], f["match"], strict=True)], dtype=object)


def _frame(ids: pd.Index, result: Any, turn: Any, evidence: Any) -> pd.DataFrame:
    return pd.DataFrame({"result": result, "turn": pd.array(turn, dtype="Int64"),
                         "evidence": evidence}, index=ids)


def _phrase(t: pd.DataFrame, check: Check, ids: pd.Index) -> pd.DataFrame:
    mine = t[t["speaker"] == check.speaker]
    if check.where != "any":
        mine = mine[_rank(mine, check.where) < check.turns]
    found = _found(mine, pattern(check.phrases)).set_index("interaction_id")
    hit = ids.isin(found.index)
    spoke = ids.isin(mine["interaction_id"].unique())
    result = np.where(hit, PASS, np.where(spoke, FAIL, NA))
    turn = found["turn"].reindex(ids).to_numpy(dtype=float)
    evidence = np.where(hit, _quoted(found, ids), np.where(
        spoke, f"none of the phrases in {_which(check)}", f"no {check.speaker} turn"))
    if check.due is not None:
        theirs = t[t["speaker"] == check.due.speaker]
        due = _found(theirs, pattern(check.due.phrases)).set_index("interaction_id")
        is_due = ids.isin(due.index)
        evidence = np.where(
            ~is_due, f"not due: the {check.due.speaker} said none of the phrases that make "
            "it due", np.where(result == FAIL, "due (" + _quoted(due, ids) + ") but "
                               + evidence.astype(object), evidence))
        result = np.where(is_due, result, NA)
        turn = np.where(is_due, turn, np.nan)
    return _frame(ids, result, turn, evidence)


def _silence(t: pd.DataFrame, check: Check, ids: pd.Index,
             channels: Mapping[str, str | None]) -> pd.DataFrame:
    timed = t[t["secs"].notna()].copy()
    timed["gap"] = timed.groupby("interaction_id")["secs"].diff()
    gaps = timed[timed["gap"].notna()]
    longest = gaps.loc[gaps.groupby("interaction_id")["gap"].idxmax()].set_index(
        "interaction_id").reindex(ids)
    gap = longest["gap"].to_numpy(dtype=float)
    timed_ok = np.isfinite(gap)
    over = timed_ok & (np.nan_to_num(gap) > check.max_seconds)
    result = np.where(over, FAIL, np.where(timed_ok, PASS, NA))
    turn = np.where(over, longest["turn"].to_numpy(dtype=float), np.nan)
    evidence = np.array([
        f"{g:.0f} s of silence before turn {int(n)} (over {check.max_seconds:g} s)" if o
        else f"longest gap {g:.0f} s" if ok else "fewer than two turns with a time"
        for g, n, o, ok in zip(gap, longest["turn"], over, timed_ok, strict=True)],
        dtype=object)
    if check.channels:
        channel = np.array([channels.get(i) for i in ids], dtype=object)
        other = np.array([c is not None and c not in check.channels for c in channel])
        result = np.where(other, NA, result)
        turn = np.where(other, np.nan, turn)
        evidence = np.where(other, np.array(
            [f"channel {c} (checked in {', '.join(check.channels)})" for c in channel],
            dtype=object), evidence)
    return _frame(ids, result, turn, evidence)


def _sentiment(t: pd.DataFrame, check: Check, ids: pd.Index) -> pd.DataFrame:
    from cxlens.text import sentiment

    mine = t[t["speaker"] == check.speaker]
    last = mine.groupby("interaction_id", sort=False).tail(1).set_index("interaction_id")
    scored = sentiment.score(list(last["text"])).set_index(last.index).reindex(ids)
    spoke = ids.isin(last.index)
    label = scored["label"].fillna("neutral").to_numpy()
    result = np.where(spoke, np.where(label == "negative", FAIL, PASS), NA)
    turn = last["turn"].reindex(ids).to_numpy(dtype=float)
    evidence = np.array([
        f"turn {int(n)}: {lab} ({c:+.2f})" if np.isfinite(c) else
        f"turn {int(n)}: empty" if ok else f"no {check.speaker} turn"
        for n, lab, c, ok in zip(turn, label, scored["compound"].to_numpy(dtype=float), spoke,
                                 strict=True)], dtype=object)
    return _frame(ids, result, turn, evidence)


def evaluate(turns: pd.DataFrame, checks: Checks,
             channels: Mapping[str, str | None] | None = None) -> pd.DataFrame:
    """One row per conversation and check (:data:`COLUMNS`): ``result`` pass, fail or n/a,
    ``turn`` the turn that decided it (when one did) and ``evidence`` in words. ``channels``
    maps a conversation to its channel, for checks limited to some channels."""
    t = prepare(turns)
    ids = pd.Index(t["interaction_id"].unique(), name="interaction_id")
    parts = []
    for check in checks.checks:
        if check.kind == "phrase":
            part = _phrase(t, check, ids)
        elif check.kind == "silence":
            part = _silence(t, check, ids, channels or {})
        else:
            part = _sentiment(t, check, ids)
        parts.append(part.assign(check=check.id).reset_index())
    if not parts or ids.empty:
        return pd.DataFrame(columns=list(COLUMNS))
    out = pd.concat(parts, ignore_index=True)[list(COLUMNS)]
    out["turn"] = pd.to_numeric(out["turn"]).astype("Int64")
    return out


__all__ = ["COLUMNS", "FAIL", "NA", "PASS", "RESULTS", "evaluate", "prepare"]
