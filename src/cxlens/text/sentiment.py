"""Sentiment of a text: a compound score in −1…1 and a label, offline.

Two models, both built on the VADER lexicon (Hutto & Gilbert 2014; 7,500 words and emoticons
rated −4…+4 by ten people each; MIT licence; the file ships inside the ``vaderSentiment`` wheel
and its SHA-256 is checked at load, see :mod:`cxlens.text.assets`):

* ``lexicon`` — the baseline: the sum *s* of the valences of the words found in the lexicon,
  squashed to −1…1 by VADER's normalisation s/√(s² + 15). No rules: "not good" scores as
  "good".
* ``vader`` — the better model (default): VADER's rules on top of the same lexicon — negation
  ("not good", "never arrived"), intensifiers and dampeners ("very", "slightly"), contrast
  ("…, but …" weighs the second clause more), capitals and exclamation marks.

Domain adjustment (both models): "support" is rated +1.7 in the lexicon ("thanks for your
support"); in contact-centre text it names the department ("support was terrible"), so it is
set to 0 (:data:`DOMAIN`).

Label: positive when compound ≥ 0.05, negative when compound ≤ −0.05, neutral in between
(VADER's published convention). An empty text has no score (NaN) and no label.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from cxlens.errors import NotFound, did_you_mean
from cxlens.text.assets import VADER_EMOJI, VADER_LEXICON, read_verified

MODELS = ("vader", "lexicon")
DEFAULT_MODEL = "vader"
LABELS = ("positive", "neutral", "negative")
#: compound ≥ THRESHOLD is positive, ≤ −THRESHOLD negative (VADER's convention).
THRESHOLD = 0.05
ALPHA = 15.0  # VADER's normalisation constant
#: Lexicon entries overridden for customer-service text (see the module docstring).
DOMAIN: dict[str, float] = {"support": 0.0}
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def check_model(name: str) -> str:
    if name not in MODELS:
        raise NotFound(f"no sentiment model {name!r}.{did_you_mean(name, MODELS)}",
                       f"choose one of: {', '.join(MODELS)}")
    return name


@functools.cache
def _analyzer() -> Any:
    """VADER's analyser built from the verified lexicon bytes (not from a second read of the
    files). Uses vaderSentiment 3.3.2's attribute names; the version is pinned."""
    from cxlens.extras import require

    require("text", ["vaderSentiment"])
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer.__new__(SentimentIntensityAnalyzer)
    sia.lexicon_full_filepath = read_verified(VADER_LEXICON).decode("utf-8")
    sia.lexicon = sia.make_lex_dict() | DOMAIN
    sia.emoji_full_filepath = read_verified(VADER_EMOJI).decode("utf-8")
    sia.emojis = sia.make_emoji_dict()
    return sia


def _lexicon() -> dict[str, float]:
    lexicon: dict[str, float] = _analyzer().lexicon
    return lexicon


def lexicon_score(text: str) -> float:
    """The baseline: normalised sum of lexicon valences, no rules."""
    lexicon = _lexicon()
    s = sum(lexicon.get(w, 0.0) for w in _WORD.findall(text.lower()))
    return s / math.sqrt(s * s + ALPHA)


def vader_score(text: str) -> float:
    return float(_analyzer().polarity_scores(text)["compound"])


_SCORERS = {"lexicon": lexicon_score, "vader": vader_score}


def compound(texts: Sequence[str | None], model: str = DEFAULT_MODEL) -> npt.NDArray[np.float64]:
    """Compound score per text (NaN for a missing or blank text). Each distinct text is scored
    once."""
    scorer = _SCORERS[check_model(model)]
    cache: dict[str, float] = {}
    out = np.full(len(texts), np.nan)
    for i, text in enumerate(texts):
        if text is None or not isinstance(text, str) or not text.strip():
            continue
        value = cache.get(text)
        if value is None:
            value = cache[text] = scorer(text)
        out[i] = value
    return out


def label(scores: npt.ArrayLike) -> npt.NDArray[np.object_]:
    """positive / neutral / negative per compound score; None where the score is NaN."""
    s = np.asarray(scores, dtype=float)
    out = np.where(s >= THRESHOLD, "positive",
                   np.where(s <= -THRESHOLD, "negative", "neutral")).astype(object)
    out[np.isnan(s)] = None
    return out


def score(texts: Sequence[str | None], model: str = DEFAULT_MODEL) -> pd.DataFrame:
    """One row per text: ``compound`` (−1…1) and ``label``."""
    values = compound(texts, model)
    return pd.DataFrame({"compound": values, "label": label(values)})
