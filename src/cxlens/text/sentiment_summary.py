"""Sentiment of survey comments, social mentions or tickets over a period: shares, net
sentiment and mean score by group (survey for comments, brand for mentions, vendor for tickets)
and month, with intervals; and how the models agree with the labels the data carries.

* Mentions are scored with every tracked brand's name and every @handle made neutral
  (:mod:`cxlens.text.brands`): "@united lost my bag" must not score positive because VADER
  rates "united" +1.8.
* Shares of positive / neutral / negative texts: Wilson 95 % intervals.
* Net sentiment = % positive − % negative, in points (−100…100); it is built like NPS (+1, 0,
  −1 per text), so its interval is NPS's (:func:`cxlens.stats.nps.nps_interval`).
* Mean compound score: Student-t 95 % interval.
* Evaluation, for both models so they can be compared:
  - mentions: agreement with the stored ``sentiment`` labels (accuracy with a Wilson interval,
    macro-F1), beside the majority-class baseline (always the commonest label: its accuracy
    and macro-F1) and a ``verdict`` sentence saying whether the model beats it. A label
    cxlens filled in at import (the ``vader`` model) agrees with ``vader`` by construction —
    evaluate on labelled data only;
  - comments: AUC of the compound score between NPS detractors' and promoters' comments, and
    between CSAT bottom-two-box and top-two-box comments (bootstrap interval), and the mean
    score of each group.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from cxlens.errors import ConfigError
from cxlens.stats.mean import t_interval
from cxlens.stats.nps import nps_interval
from cxlens.stats.wilson import wilson_interval
from cxlens.store.base import Warehouse
from cxlens.text import scoring, source
from cxlens.text.brands import neutral_texts
from cxlens.text.evaluate import (
    Agreement,
    against_baseline,
    agreement,
    auc_intervals,
    majority_baseline,
)
from cxlens.text.sentiment import LABELS, MODELS, score

ALL = "all"
SUMMARY_COLUMNS = ["group", "month", "n", "positive", "positive_ci_low", "positive_ci_high",
                   "neutral", "neutral_ci_low", "neutral_ci_high", "negative",
                   "negative_ci_low", "negative_ci_high", "net", "net_ci_low", "net_ci_high",
                   "mean", "mean_ci_low", "mean_ci_high"]
EVALUATION_COLUMNS = ["model", "against", "n", "accuracy", "accuracy_ci_low",
                      "accuracy_ci_high", "macro_f1", "f1_positive", "f1_neutral",
                      "f1_negative", "baseline", "baseline_accuracy", "baseline_macro_f1",
                      "verdict", "auc", "auc_ci_low", "auc_ci_high"]
#: comments: (outcome, group column, low group, middle group, high group)
SCORE_GROUPS = (("nps", "nps_group", "detractor", "passive", "promoter"),
                ("csat", "csat_group", "dissatisfied", "neutral", "satisfied"))


@dataclass(frozen=True)
class SentimentSummary:
    source: str  # comments | mentions | tickets
    model: str
    first: dt.date
    last: dt.date  # inclusive
    overall: pd.DataFrame  # SUMMARY_COLUMNS by group (and "all"), month = None
    monthly: pd.DataFrame  # SUMMARY_COLUMNS by group and month
    evaluation: pd.DataFrame  # EVALUATION_COLUMNS, one row per model and reference
    by_score: pd.DataFrame  # comments: mean score per model, outcome and score group
    texts: pd.DataFrame  # one row per text (redacted): compound and label of ``model``
    note: str = ""  # which model scored the texts (scoring.Engine.note)


def summarise(texts: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """SUMMARY_COLUMNS for each combination of ``keys`` (columns of ``texts``, which also has
    ``compound`` and ``label``; no ``group`` key: every text is in group "all"), in sorted
    order (a missing value last), as ``groupby(keys, sort=True, dropna=False)`` gives them.

    A key held as a Categorical with sorted categories is grouped by its codes (the page
    factorises its 1.5 M rows' groups and months once, not once per summary); each group's
    rows are taken in their order, so its mean and standard deviation are pandas' own over
    the same values in the same order."""
    scored = texts if texts["compound"].notna().all() else texts[texts["compound"].notna()]
    combined = np.zeros(len(scored), dtype=np.int64)
    names: list[list[object]] = []
    for key in keys:
        code, levels = _sorted_codes(scored[key])
        combined = combined * (len(levels) + 1) + np.where(code < 0, len(levels), code)
        names.append([*levels, np.nan])  # a missing value, as groupby keys it
    order = np.argsort(combined, kind="stable")  # each group's rows in their own order
    ends = np.flatnonzero(np.diff(combined[order])) + 1
    compound = scored["compound"].to_numpy(dtype=float)
    label = pd.Categorical(scored["label"], categories=LABELS).codes
    rows = []
    for rows_of in np.split(order, ends) if len(order) else []:
        values, at = {}, int(combined[rows_of[0]])
        for key, levels in zip(reversed(keys), reversed(names), strict=True):
            values[key] = levels[at % len(levels)]
            at //= len(levels)
        part = pd.Series(compound[rows_of])
        n = len(part)
        row: dict[str, object] = {"group": values.get("group", ALL),
                                  "month": values.get("month"), "n": n}
        counts = dict(zip(LABELS, np.bincount(label[rows_of][label[rows_of] >= 0],
                                              minlength=len(LABELS)).tolist(), strict=True))
        for lab in LABELS:
            lo, hi = wilson_interval(counts[lab], n)
            row |= {lab: counts[lab] / n, f"{lab}_ci_low": float(lo), f"{lab}_ci_high": float(hi)}
        net, nlo, nhi = nps_interval(counts["positive"], counts["negative"], n)
        mean = float(part.mean())
        sd = float(part.std(ddof=1)) if n > 1 else np.nan
        mlo, mhi = t_interval(n, mean, sd)
        row |= {"net": float(net), "net_ci_low": float(nlo), "net_ci_high": float(nhi),
                "mean": mean, "mean_ci_low": float(mlo), "mean_ci_high": float(mhi)}
        rows.append(row)
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def _sorted_codes(values: pd.Series) -> tuple[npt.NDArray[np.int64], list[object]]:
    """Each row's place among the sorted distinct values (-1: missing), and those values."""
    categorical = isinstance(values.dtype, pd.CategoricalDtype)
    if categorical and values.cat.categories.is_monotonic_increasing:
        code = values.cat.codes.to_numpy().astype(np.int64)
        return code, list(values.cat.categories)
    found, levels = pd.factorize(values, sort=True)
    return found.astype(np.int64), list(levels)


def sorted_categories(values: pd.Series) -> pd.Categorical:
    """``values`` as a Categorical of its sorted distinct values (for :func:`summarise`)."""
    code, levels = pd.factorize(values, sort=True)
    return pd.Categorical.from_codes(code, categories=levels)


def verdict(model: str, a: Agreement, top: str, base: Agreement) -> str:
    """"vader: accuracy 58.1 % (55.2–61.0), macro-F1 0.55 (n = 1,000); always 'negative':
    accuracy 62.7 %, macro-F1 0.26 — vader does not beat the baseline"."""
    return (f"{model}: accuracy {100 * a.accuracy:.1f} % ({100 * a.accuracy_ci_low:.1f}–"
            f"{100 * a.accuracy_ci_high:.1f}), macro-F1 {a.macro_f1:.2f} (n = {a.n:,}); "
            f"always '{top}': accuracy {100 * base.accuracy:.1f} %, macro-F1 "
            f"{base.macro_f1:.2f} — {model} {against_baseline(a, base)} the baseline")


def _compare_trained(rows: list[dict[str, object]]) -> None:
    """In place: when the trained model's macro-F1 on the stored labels is below vader's, its
    verdict says so — a model learned from survey comments is not necessarily right for
    social mentions (on the demo's mentions: 0.46 against 0.67), and ``auto`` then scores
    them with vader (:func:`cxlens.text.scoring.choose`)."""
    by_model = {r["model"]: r for r in rows if r.get("against") == "stored sentiment labels"}
    trained, vader = by_model.get(scoring.TRAINED), by_model.get("vader")
    if trained is None or vader is None:
        return
    t_f1, v_f1 = float(trained["macro_f1"]), float(vader["macro_f1"])  # type: ignore[arg-type]
    if t_f1 < v_f1:
        trained["verdict"] = (f"{trained['verdict']}; its macro-F1 is below vader's "
                              f"({t_f1:.2f} vs {v_f1:.2f}) on these labels")


def _scores(model: str, engine: scoring.Engine, once: list[str],
            scored: pd.DataFrame) -> pd.DataFrame:
    """``model``'s compound and label of each distinct text (``scored``: the engine's)."""
    if model == engine.name:
        return scored
    if model == scoring.TRAINED:
        return scoring.Engine(model, engine.trained, "").score(once)
    return score(once, model)


def _evaluate(frame: pd.DataFrame, kind: str, code: npt.NDArray[np.intp], once: list[str],
              engine: scoring.Engine, scored: pd.DataFrame
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each model against the labels the rows of ``frame`` carry; ``code`` says which of the
    distinct texts ``once`` each row is (each model scores a distinct text once and a row
    takes its text's score: the same scores as scoring every row)."""
    # a trained model is compared on mentions only: on comments it would be scored on the
    # very texts it learned from (its held-out figures are in its stored evaluation)
    stored = engine.trained
    trained = [scoring.TRAINED] if stored is not None and kind == "mentions" else []
    # tickets carry no labels and no scores beside them: nothing to compare the models with
    models = [*trained, *MODELS] if kind != "tickets" else []
    by_text = {model: _scores(model, engine, once, scored) for model in models}
    rows: list[dict[str, object]] = []
    groups: list[dict[str, object]] = []
    if kind == "mentions":
        rows = _against_labels(frame["given"], code, by_text)
    elif models:
        rows, groups = _against_scores(frame, code, by_text)
    _compare_trained(rows)
    return (pd.DataFrame(rows, columns=EVALUATION_COLUMNS),
            pd.DataFrame(groups, columns=["model", "outcome", "group", "n", "mean",
                                          "mean_ci_low", "mean_ci_high"]))


def _against_labels(given: pd.Series, code: npt.NDArray[np.intp],
                    by_text: dict[str, pd.DataFrame]) -> list[dict[str, object]]:
    """Each model's agreement with the stored labels, beside the majority baseline."""
    given = given.where(given.isin(LABELS))
    rows: list[dict[str, object]] = []
    for model, scores in by_text.items() if given.notna().any() else ():
        labels = scores["label"].to_numpy()[code]
        a = agreement(given.tolist(), labels.tolist(), LABELS)
        top, base = majority_baseline(given.tolist(), LABELS)
        rows.append({"model": model, "against": "stored sentiment labels", "n": a.n,
                     "accuracy": a.accuracy, "accuracy_ci_low": a.accuracy_ci_low,
                     "accuracy_ci_high": a.accuracy_ci_high, "macro_f1": a.macro_f1,
                     **{f"f1_{c}": a.f1.get(c, np.nan) for c in LABELS},
                     "baseline": f"always '{top}'", "baseline_accuracy": base.accuracy,
                     "baseline_macro_f1": base.macro_f1,
                     "verdict": verdict(model, a, top, base)})
    return rows


def _against_scores(frame: pd.DataFrame, code: npt.NDArray[np.intp],
                    by_text: dict[str, pd.DataFrame]
                    ) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Comments: each model's AUC between the low and high NPS and CSAT groups (the models'
    intervals from the same resamples, :func:`~cxlens.text.evaluate.auc_intervals`), and its
    mean score in each group."""
    models = list(by_text)
    compound = [by_text[m]["compound"].to_numpy(dtype=float) for m in models]
    # each outcome's groups: which text each of their answers is, in the answers' order
    texts_of: dict[str, dict[str, npt.NDArray[np.intp]]] = {}
    aucs: dict[str, list[tuple[float, float, float]]] = {}
    for outcome, column, low, middle, high in SCORE_GROUPS:
        group, names = pd.factorize(frame[column])  # a missing group is -1
        texts_of[outcome] = {name: code[group == names.get_loc(name)] if name in names
                             else code[:0] for name in (low, middle, high)}
        aucs[outcome] = auc_intervals(texts_of[outcome][low], texts_of[outcome][high],
                                      compound)
    rows: list[dict[str, object]] = []
    groups: list[dict[str, object]] = []
    for k, model in enumerate(models):
        for outcome, _column, low, middle, high in SCORE_GROUPS:
            lo_n, hi_n = (int(np.isfinite(compound[k][texts_of[outcome][name]]).sum())
                          for name in (low, high))
            if lo_n and hi_n:
                value, ci_lo, ci_hi = aucs[outcome][k]
                rows.append({"model": model, "against": f"{outcome}: {low} vs {high}",
                             "n": lo_n + hi_n, "auc": value,
                             "auc_ci_low": ci_lo, "auc_ci_high": ci_hi})
            for name in (low, middle, high):
                values = pd.Series(compound[k][texts_of[outcome][name]]).dropna()
                n = len(values)
                if not n:
                    continue
                sd = float(values.std(ddof=1)) if n > 1 else np.nan
                mlo, mhi = t_interval(n, float(values.mean()), sd)
                groups.append({"model": model, "outcome": outcome, "group": name, "n": n,
                               "mean": float(values.mean()), "mean_ci_low": float(mlo),
                               "mean_ci_high": float(mhi)})
    return rows, groups


def evidence(frame: pd.DataFrame, code: npt.NDArray[np.intp],
             once: list[str]) -> scoring.Evidence | None:
    """The texts (as scored) whose row carries a label (``given``: mentions' stored
    sentiment), or None when the source has no labels; ``code`` says which of the distinct
    texts ``once`` each row of ``frame`` is."""
    if "given" not in frame.columns:
        return None
    has = frame["given"].isin(LABELS).to_numpy()
    return scoring.Evidence([once[c] for c in code[has]],
                            frame.loc[has, "given"].astype(str).tolist(), "labelled mentions")


def distinct(texts: pd.Series) -> tuple[npt.NDArray[np.intp], list[str]]:
    """Which distinct text each row is, and those texts (``str`` of each value, as every row's
    text was scored before): the 10 M demo's 1.5 M comments are 2,131 texts once redacted,
    so each model scores 2,131 texts and a row takes its text's score."""
    code, once = pd.factorize(texts, sort=False, use_na_sentinel=False)
    return code.astype(np.intp), [str(t) for t in once]


def sentiment_summary(wh: Warehouse, source_name: str = "comments",
                      model: str = scoring.AUTO, start: str | dt.date | None = None,
                      end: str | dt.date | None = None) -> SentimentSummary:
    """Sentiment of ``source_name`` (comments, mentions or tickets) from ``start`` to ``end``
    (inclusive days; default: the year up to the latest text) scored by ``model``
    (:mod:`cxlens.text.scoring`: ``auto`` chooses for the source, by the labels its texts
    carry when there are enough)."""
    # a model asked for by name does not depend on the texts (and a missing one is said first)
    named = scoring.engine(wh, model) if model != scoring.AUTO else None
    first, after = source.period(wh, source_name, start, end)
    last = after - dt.timedelta(days=1)
    if source_name == "comments":
        frame = source.comments(wh, first, after)
        code, once = distinct(frame["comment"])
        group = frame["survey"]
    elif source_name == "tickets":
        frame = source.tickets(wh, first, after)
        code, once = distinct(frame["text"])
        group = frame["vendor"]
    else:
        frame = source.mentions(wh, first, after)
        code, raw = distinct(frame["text"])
        # every brand's name and @handles neutral before scoring (cxlens.text.brands)
        once = [str(t) for t in neutral_texts(raw, source.brands(wh))]
        group = frame["brand"]
    if not len(frame):
        raise ConfigError(f"no {source_name} with text between {first} and {last}",
                          "widen --from/--to, or import texts first")
    engine = named or scoring.engine(wh, model, source=source_name,
                                     evidence=evidence(frame, code, once))
    scored = engine.score(once)  # one row per distinct text
    compound = scored["compound"].to_numpy(dtype=float)[code]
    label = scored["label"].to_numpy()[code]
    # only what the summaries group and count: a copy of every column (the texts and ids of
    # 1.5 M comments) per grouping took seconds
    slim = pd.DataFrame({"group": sorted_categories(group.astype(str)),
                         "month": sorted_categories(frame["month"]), "compound": compound,
                         "label": pd.Categorical(label, categories=LABELS)})
    overall = pd.concat([summarise(slim, []), summarise(slim, ["group"])], ignore_index=True)
    monthly = pd.concat([summarise(slim, ["month"]), summarise(slim, ["group", "month"])],
                        ignore_index=True)
    evaluation, by_score = _evaluate(frame, source_name, code, once, engine, scored)
    frame["compound"], frame["label"] = compound, label  # in place: the rows are not copied
    return SentimentSummary(source_name, engine.name, first, last, overall, monthly, evaluation,
                            by_score, frame, engine.note)
