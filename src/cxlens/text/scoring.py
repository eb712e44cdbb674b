"""Which sentiment model scores a warehouse's texts — the model trained on its own texts
(:mod:`cxlens.text.model_store`) or the VADER lexicon model — and a sentence saying which
and why, for the output and the page.

Model names: ``auto`` (the default), ``trained`` (an error with the remedy when none is
stored), and the lexicon models ``vader`` and ``lexicon`` (used as asked).

``auto`` chooses per text source, from evidence:

1. No trained model stored: ``vader``.
2. The source's texts carry labels (mentions' stored sentiment), :data:`MIN_LABELLED` or
   more: both models score them and the one with the higher macro-F1 is used (a tie goes to
   ``vader``, which needs no training). On the demo's 1,800 labelled mentions a model trained
   on survey comments reaches 0.46 against VADER's 0.67, so mentions are scored by VADER.
   Fewer labels decide nothing: one text moves macro-F1 on a handful by a tenth.
3. Otherwise the trained model scores only the kind of text it learned from (its ``kind``:
   comments for the warehouse's scored comments, what ``--kind`` said for a labelled file);
   other texts get ``vader``. Words differ between a survey's "Why?" and a tweet or a ticket,
   and nothing here shows the model carries over.

The note says which model and which of these reasons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from cxlens.errors import NotFound, did_you_mean
from cxlens.format import count, decimal
from cxlens.store.base import Warehouse
from cxlens.text import model_store, sentiment

AUTO = "auto"
TRAINED = "trained"
CHOICES = (AUTO, TRAINED, *sentiment.MODELS)


#: Labelled texts a source needs before ``auto`` chooses by comparing the models on them.
MIN_LABELLED = 20
#: The models ``auto`` chooses between, in the order of preference on a tie.
RIVAL = sentiment.DEFAULT_MODEL


@dataclass(frozen=True)
class Evidence:
    """Texts of a source with the labels they carry (positive / neutral / negative), and
    what they are in words ("labelled mentions")."""

    texts: list[str]
    labels: list[str]
    what: str


@dataclass(frozen=True)
class Engine:
    name: str  # trained | vader | lexicon
    stored: model_store.Stored | None  # the trained model when name is "trained"
    note: str  # which model scored the texts, in a sentence
    trained: model_store.Stored | None = None  # the stored model, chosen or not

    def score(self, texts: Sequence[str | None]) -> pd.DataFrame:
        """One row per text: ``compound`` (−1…1) and ``label``."""
        if self.stored is None:
            return sentiment.score(texts, self.name)
        compound, labels = self.stored.model.predict(texts)
        return pd.DataFrame({"compound": compound, "label": labels})


def label_rule(name: str) -> str:
    """How ``name``'s score and label are read, for the notes under a table."""
    if name == TRAINED:
        return "score P(positive) − P(negative), label the likelier class"
    return (f"positive ≥ {sentiment.THRESHOLD:g}, negative ≤ −{sentiment.THRESHOLD:g}, "
            "neutral between")


def check_choice(name: str) -> str:
    if name not in CHOICES:
        raise NotFound(f"no sentiment model {name!r}.{did_you_mean(name, CHOICES)}",
                       f"choose one of: {', '.join(CHOICES)}")
    return name


def describe(stored: model_store.Stored) -> str:
    """"trained model of 2026-12-07 on 1,372 scored survey comments…; macro-F1 0.85 under
    5-fold cross-validation (vader 0.74)"."""
    ev = stored.evaluation
    sentence = (f"trained model of {stored.created_at:%Y-%m-%d} on {count(stored.n)} "
                f"{stored.trained_on}")
    cv = ev[ev["scheme"] == ev["scheme"].iloc[0]].set_index("model") if len(ev) else None
    if cv is not None and {"trained", "vader"} <= set(cv.index):
        sentence += (f"; macro-F1 {decimal(cv.loc['trained', 'macro_f1'], 2)} under "
                     f"{ev['scheme'].iloc[0]} (vader {decimal(cv.loc['vader', 'macro_f1'], 2)})")
    return sentence


def engine(wh: Warehouse, name: str = AUTO, *, source: str | None = None,
           evidence: Evidence | None = None) -> Engine:
    """The model ``name`` stands for on ``wh``, for texts of ``source`` (a text source's
    name; None: unknown) that carry ``evidence`` (module docstring)."""
    check_choice(name)
    if name in sentiment.MODELS:
        return Engine(name, None, f"{name} lexicon model (chosen)")
    stored = model_store.latest(wh)
    if stored is not None and name == TRAINED:
        return Engine(TRAINED, stored, describe(stored), stored)
    if stored is not None:
        return choose(stored, source, evidence)
    if name == TRAINED:
        raise NotFound("no trained sentiment model in this warehouse",
                       "train one: cxlens sentiment train (or use --model vader)")
    return Engine(RIVAL, None, f"{RIVAL} lexicon model (no trained model stored: "
                               "cxlens sentiment train)")


def compare(stored: model_store.Stored, evidence: Evidence) -> tuple[float, float]:
    """Macro-F1 of the trained model and of :data:`RIVAL` on the evidence's labels."""
    from cxlens.text.evaluate import agreement

    trained = Engine(TRAINED, stored, "").score(evidence.texts)["label"].tolist()
    rival = sentiment.score(evidence.texts, RIVAL)["label"].tolist()
    return (agreement(evidence.labels, trained, sentiment.LABELS).macro_f1,
            agreement(evidence.labels, rival, sentiment.LABELS).macro_f1)


def choose(stored: model_store.Stored, source: str | None,
           evidence: Evidence | None) -> Engine:
    """``auto`` with a trained model stored: by the labels when there are enough, else by
    the kind of text (module docstring)."""
    if evidence is not None and len(evidence.labels) >= MIN_LABELLED:
        t_f1, r_f1 = compare(stored, evidence)
        on = f"on {count(len(evidence.labels))} {evidence.what}"
        if t_f1 > r_f1:
            return Engine(TRAINED, stored, f"{describe(stored)}; chosen by measurement: "
                          f"{TRAINED}: macro-F1 {decimal(t_f1, 2)} vs {RIVAL} "
                          f"{decimal(r_f1, 2)} {on}", stored)
        return Engine(RIVAL, None, f"{RIVAL} lexicon model, chosen by measurement: {RIVAL}: "
                      f"macro-F1 {decimal(r_f1, 2)} vs {TRAINED} {decimal(t_f1, 2)} {on}",
                      stored)
    few = (f"; {count(len(evidence.labels))} {evidence.what}, too few to compare on (at "
           f"least {MIN_LABELLED})" if evidence is not None and evidence.labels else "")
    if source is not None and source == stored.kind:
        return Engine(TRAINED, stored, f"{describe(stored)} (it learned from {source}, as "
                      f"these are{few})", stored)
    learned = f"learned from {stored.kind}" if stored.kind else "learned from texts of an " \
        "unknown kind (cxlens sentiment train --kind)"
    these = source or "these texts"
    return Engine(RIVAL, None, f"{RIVAL} lexicon model: the trained model {learned}, not "
                  f"{these}, and no labels show it does better on them{few}", stored)
