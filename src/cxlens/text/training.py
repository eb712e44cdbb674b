"""What ``cxlens sentiment train`` learns from: the warehouse's scored comments with labels
taken from their scores, or a file of texts with explicit labels.

Weak labels from the score, through the catalogue's own definitions
(:mod:`cxlens.text.source`): an NPS promoter's comment (9–10) and a CSAT top-two-box comment
are positive, a detractor's (0–6) and a bottom-two-box comment negative. The middle —
passives (7–8) and CSAT 3 — is **left out**, not called neutral: a passive's "Why?" is as
often a complaint as praise ("It was ok." comes from promoters in the demo too), so a neutral
class made of them teaches noise, and two clean classes give a compound score (P(positive) −
P(negative)) whose middle already reads as neutral. Explicit labels (a file) may include
neutral, and the model then learns three classes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cxlens.errors import ConfigError, NotFound
from cxlens.store.base import Warehouse
from cxlens.text import crossval, learned, model_store, source
from cxlens.text.learned import Learned
from cxlens.text.redact import redact

#: Score group → weak label (groups not listed are left out).
WEAK = {"promoter": "positive", "detractor": "negative",
        "satisfied": "positive", "dissatisfied": "negative"}
FILE_COLUMNS = ("text", "label")
#: Optional column of a labelled file: when present, the time holdout is run too.
DATE_COLUMN = "date"
NO_COMMENTS_REMEDY = ("import survey answers with a comment and an NPS or CSAT score "
                      "(cxlens import), or train on a labelled file: cxlens sentiment train "
                      "--labels FILE (columns text, label)")


@dataclass(frozen=True)
class Labelled:
    texts: list[str]
    labels: list[str]
    times: list[object] | None
    trained_on: str  # what the texts are, for people
    left_out: int  # texts without a usable label
    kind: str | None = None  # the text source they are (comments, mentions, tickets)


def from_warehouse(wh: Warehouse) -> Labelled:
    """Every non-blank survey comment (redacted) with its weak label."""
    try:
        first, after = source.period(wh, "comments", dt.date(1970, 1, 1), None)
    except ConfigError as exc:
        raise ConfigError("the warehouse has no survey answers to learn sentiment from",
                          NO_COMMENTS_REMEDY) from exc
    frame = source.comments(wh, first, after)
    weak = frame["nps_group"].map(WEAK).where(frame["nps_group"].isin(list(WEAK)),
                                               frame["csat_group"].map(WEAK))
    usable = weak.notna()
    if not usable.any():
        raise ConfigError(f"no scored comments to learn sentiment from ({len(frame):,} comments, "
                          "none with an NPS promoter/detractor or CSAT top/bottom-two-box "
                          "score)", NO_COMMENTS_REMEDY)
    kept = frame[usable]
    return Labelled(kept["comment"].astype(str).tolist(), weak[usable].astype(str).tolist(),
                    kept["responded_at"].tolist(),
                    f"{model_store.COMMENTS_PREFIX} (promoters and top-two-box positive, "
                    "detractors and bottom-two-box negative)", int((~usable).sum()), "comments")


def from_file(path: str | Path, kind: str | None = None) -> Labelled:
    """A CSV with columns ``text`` and ``label`` (positive / neutral / negative) and
    optionally ``date``; texts are redacted like imported comments. ``kind``: the text source
    they are (:data:`cxlens.text.source.SOURCES`), when the user says."""
    if kind is not None:
        source.check_source(kind)
    p = Path(path)
    if not p.is_file():
        raise NotFound(f"no labelled file at {p}", "give the path of a CSV with columns "
                       "text, label")
    frame = pd.read_csv(p, dtype=str, keep_default_na=False)
    missing = [c for c in FILE_COLUMNS if c not in frame.columns]
    if missing:
        raise ConfigError(f"{p}: no column {', '.join(missing)} (it has "
                          f"{', '.join(frame.columns)})",
                          "name the columns text and label (positive, neutral or negative)")
    frame["label"] = frame["label"].str.strip().str.lower()
    usable = (frame["text"].str.strip() != "") & (frame["label"] != "")
    kept = frame[usable]
    try:
        learned.classes_of(kept["label"].tolist())
    except ConfigError as exc:
        raise ConfigError(f"{p}: {exc.message}", "use positive, neutral or negative in "
                          "the label column") from exc
    times = kept[DATE_COLUMN].tolist() if DATE_COLUMN in kept.columns else None
    return Labelled([str(redact(t)) for t in kept["text"]], kept["label"].tolist(), times,
                    f"labelled file {p.name}", int((~usable).sum()), kind)


def train(data: Labelled) -> tuple[Learned, pd.DataFrame]:
    """The model trained on all of ``data``, and its evaluation (:func:`crossval.evaluate`)."""
    evaluation = crossval.evaluate(data.texts, data.labels, data.times)
    return learned.fit(data.texts, data.labels), evaluation
