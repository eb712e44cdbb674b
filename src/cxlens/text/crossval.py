"""How well the trained sentiment model does on texts it has not seen, beside the majority
class and the lexicon model on the very same held-out texts.

Two schemes:

* **k-fold cross-validation** (5 folds, stratified by label, seeded): each text is predicted
  by a model trained on the other folds. A text that occurs more than once (survey comments
  repeat: "Fixed in minutes, thanks!") is kept in one fold (folds grouped by the lower-cased
  text) — otherwise the model is tested on sentences it was trained on and scores near 100 %.
* **time holdout**, when the texts have dates: trained on the earliest 80 %, tested on the
  latest 20 % — how the model will be used (trained on the past, applied to what comes). Here a
  later comment repeating an earlier one stays in the test part: that is how the model will
  meet it in use.

Per model, over the pooled held-out predictions: accuracy (Wilson 95 % interval), macro-F1
(bootstrap interval) and the AUC of the compound score between negative- and
positive-labelled texts (bootstrap interval), all from :mod:`cxlens.text.evaluate`. The models:

* ``majority``: always the commonest label of the training part (compound 0 for all, AUC 0.5);
* ``vader``: the lexicon fallback. When the labels have no neutral class, its neutral answers
  become the training part's commonest label (its best guess, not a sure miss);
* ``trained``: :func:`cxlens.text.learned.fit` on the training part.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cxlens.errors import ConfigError
from cxlens.text import learned, sentiment
from cxlens.text.evaluate import agreement, auc_interval, macro_f1_interval, majority_baseline

FOLDS = 5
HOLDOUT = 0.2
SEED = 7
#: Fewest distinct labelled texts per class to train and cross-validate.
MIN_PER_CLASS = 10
COMPARED = ("majority", "vader", "trained")
COLUMNS = ["scheme", "model", "n", "accuracy", "accuracy_ci_low", "accuracy_ci_high",
           "macro_f1", "macro_f1_ci_low", "macro_f1_ci_high", "auc", "auc_ci_low",
           "auc_ci_high"]
Predictions = dict[str, tuple[list[str], np.ndarray]]  # model -> (labels, compound)


def check_enough(labels: Sequence[str], texts: Sequence[str]) -> tuple[str, ...]:
    """The classes, after checking each has :data:`MIN_PER_CLASS` distinct texts."""
    classes = learned.classes_of(labels)
    frame = pd.DataFrame({"text": [_key(t) for t in texts], "label": list(labels)})
    distinct = frame.drop_duplicates().groupby("label")["text"].nunique()
    short = {c: int(distinct.get(c, 0)) for c in classes if distinct.get(c, 0) < MIN_PER_CLASS}
    if len(classes) < 2 or short:
        have = ", ".join(f"{c}: {int(distinct.get(c, 0))}" for c in classes) or "none"
        raise ConfigError(f"too few labelled texts to train and evaluate a sentiment model "
                          f"(distinct texts per label: {have}; at least {MIN_PER_CLASS} of "
                          "each of two labels needed)",
                          "import more scored comments, or pass a labelled CSV with "
                          "--labels FILE (columns text, label)")
    return classes


def _key(text: str) -> str:
    return " ".join(str(text).lower().split())


def _predict(train_texts: list[str], train_labels: list[str],
             test_texts: list[str]) -> Predictions:
    top, _ = majority_baseline(train_labels, sentiment.LABELS)
    model = learned.fit(train_texts, train_labels)
    compound, labels = model.predict(test_texts)
    lex = sentiment.compound(test_texts, sentiment.DEFAULT_MODEL)
    lex_labels = sentiment.label(lex)
    if "neutral" not in model.classes:
        lex_labels[lex_labels == "neutral"] = top
    return {"majority": ([top] * len(test_texts), np.zeros(len(test_texts))),
            "vader": ([str(v) for v in lex_labels], lex),
            "trained": ([str(v) for v in labels], compound)}


def _rows(scheme: str, given: list[str], predictions: Predictions) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    truth = np.asarray(given, dtype=object)
    for model in COMPARED:
        labels, compound = predictions[model]
        a = agreement(given, labels, sentiment.LABELS)
        f1_lo, f1_hi = macro_f1_interval(given, labels)
        auc, auc_lo, auc_hi = auc_interval(compound[truth == "negative"],
                                           compound[truth == "positive"])
        rows.append({"scheme": scheme, "model": model, "n": a.n, "accuracy": a.accuracy,
                     "accuracy_ci_low": a.accuracy_ci_low, "accuracy_ci_high": a.accuracy_ci_high,
                     "macro_f1": a.macro_f1, "macro_f1_ci_low": f1_lo,
                     "macro_f1_ci_high": f1_hi, "auc": auc, "auc_ci_low": auc_lo,
                     "auc_ci_high": auc_hi})
    return rows


def cross_validate(texts: Sequence[str], labels: Sequence[str], folds: int = FOLDS,
                   seed: int = SEED) -> pd.DataFrame:
    """:data:`COLUMNS` for each of :data:`COMPARED`, over out-of-fold predictions."""
    from sklearn.model_selection import StratifiedGroupKFold

    check_enough(labels, texts)
    x, y = list(texts), [str(v) for v in labels]
    groups = [_key(t) for t in x]
    pooled: dict[str, tuple[list[str], list[float]]] = {m: ([], []) for m in COMPARED}
    order: list[int] = []
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(x, y, groups):
        got = _predict([x[i] for i in train], [y[i] for i in train], [x[i] for i in test])
        order.extend(int(i) for i in test)
        for m in COMPARED:
            pooled[m][0].extend(got[m][0])
            pooled[m][1].extend(got[m][1].tolist())
    given = [y[i] for i in order]
    predictions = {m: (pooled[m][0], np.asarray(pooled[m][1])) for m in COMPARED}
    return pd.DataFrame(_rows(f"{folds}-fold cross-validation", given, predictions),
                        columns=COLUMNS)


def time_holdout(texts: Sequence[str], labels: Sequence[str], times: Sequence[object],
                 share: float = HOLDOUT) -> pd.DataFrame:
    """:data:`COLUMNS` for each of :data:`COMPARED`, trained on the earliest ``1 − share``
    of the texts and tested on the rest; empty when a part lacks a class."""
    at = pd.to_datetime(pd.Series(list(times)), utc=True)
    order = np.argsort(at.to_numpy(), kind="stable")
    cut = round(len(order) * (1 - share))
    train, test = order[:cut], order[cut:]
    x, y = list(texts), [str(v) for v in labels]
    train_y, test_y = [y[i] for i in train], [y[i] for i in test]
    if len(set(train_y)) < 2 or len(set(test_y)) < 2:
        return pd.DataFrame(columns=COLUMNS)
    start = at.iloc[int(test[0])].date()
    got = _predict([x[i] for i in train], train_y, [x[i] for i in test])
    return pd.DataFrame(_rows(f"time holdout (tested from {start})", test_y, got),
                        columns=COLUMNS)


def evaluate(texts: Sequence[str], labels: Sequence[str],
             times: Sequence[object] | None = None) -> pd.DataFrame:
    """Cross-validation, and the time holdout when ``times`` are given."""
    parts = [cross_validate(texts, labels)]
    if times is not None:
        parts.append(time_holdout(texts, labels, times))
    return pd.concat([p for p in parts if len(p)], ignore_index=True)
