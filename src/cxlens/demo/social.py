"""Social listening: public mentions of our brand (Lumen) and two competitors (Corvid,
Halcyon), with sentiment. Lumen's negative share rises while Northwind slips."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from cxlens.demo import frames, text
from cxlens.demo import timeline as tl
from cxlens.demo.effects import SLIP

Arr = npt.NDArray[Any]

MENTIONS_PER_SCALE = 36_000
BRANDS = ("Lumen", "Corvid", "Halcyon")
OUR_BRAND = BRANDS[0]
BRAND_P = np.array([0.42, 0.34, 0.24])
SENTIMENTS = ("positive", "neutral", "negative")
SENTIMENT_P = np.array([[0.38, 0.37, 0.25], [0.33, 0.37, 0.30], [0.42, 0.38, 0.20]])
SLIP_SENTIMENT_P = np.array([0.32, 0.35, 0.33])  # Lumen during the slip months
SOURCES = ("twitter", "reddit", "instagram", "facebook", "trustpilot", "news")
SOURCE_P = np.array([0.38, 0.20, 0.14, 0.10, 0.12, 0.06])


def mentions(rng: np.random.Generator, chunk: tl.Chunk, scale: float,
             ids: frames.Counters) -> pa.Table:
    n = round(MENTIONS_PER_SCALE * scale * chunk.share(tl.RETAIL_DAY))
    posted = np.sort(tl.sample_times(rng, n, chunk, tl.RETAIL_DAY, tl.ASYNC_HOURS))
    brand = rng.choice(len(BRANDS), n, p=BRAND_P)
    p = SENTIMENT_P[brand].copy()
    if chunk.month in SLIP.months:
        p[brand == 0] = SLIP_SENTIMENT_P
    sentiment = np.minimum((rng.random(n)[:, None] > p.cumsum(axis=1)).sum(axis=1), 2)
    names = [BRANDS[b] for b in brand]
    return frames.table("mentions", {
        "mention_id": frames.ids("M", ids.take("mention", n), 9),
        "brand": frames.labels(BRANDS, brand),
        "source": frames.labels(SOURCES, rng.choice(len(SOURCES), n, p=SOURCE_P)),
        "posted_at": frames.timestamps(posted),
        "text": frames.texts(text.mention_texts(rng, names, sentiment)),
        "author": frames.texts(text.handles(rng, n)),
        "sentiment": frames.labels(SENTIMENTS, sentiment),
        "sentiment_source": frames.constant("given", n),  # the demo's labels are given
    })
