"""Brand names and @handles made neutral before a mention is scored.

A brand's own name must not move the sentiment of what is said about it: VADER rates
"united" +1.8 (as in "we stand united"), so "@united lost my bag again" scores positive and
United Airlines would rank best on tweets that are mostly complaints. Before scoring, every
brand of the data — its name in any case, with its words run together or separated by any
punctuation ("US Airways", "usairways", "US_Airways"), with or without a leading @ or # — and
every other @handle become the neutral word ``brand`` (``BRAND`` when written in capitals, so
VADER's emphasis rule for words in capitals reads the text as before).

Limits: a brand named with an ordinary word is neutral everywhere in its mentions ("we stand
united" loses its +1.8 too); hashtags other than brand names are kept ("#fail" says
something).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

PLACEHOLDER = "brand"
_HANDLE = re.compile(r"(?<![\w@#])@\w+")
_WORDS = re.compile(r"[^\W_]+")


def pattern(brands: Iterable[str | None]) -> re.Pattern[str] | None:
    """One case-insensitive pattern for every form of the brands' names (None without any)."""
    forms = set()
    for brand in brands:
        words = _WORDS.findall(str(brand or "").lower())
        if words:
            forms.add(r"[\W_]*".join(map(re.escape, words)))
    if not forms:
        return None
    alternatives = "|".join(sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<![\w@#])[@#]?(?:{alternatives})(?!\w)", re.IGNORECASE)


def _neutral(match: re.Match[str]) -> str:
    found = match.group(0)
    letters = [c for c in found if c.isalpha()]
    return PLACEHOLDER.upper() if letters and all(c.isupper() for c in letters) else PLACEHOLDER


def neutralise(text: str, names: re.Pattern[str] | None) -> str:
    """``text`` with the brands' names (``names``, from :func:`pattern`) and every @handle
    replaced by the neutral placeholder."""
    if names is not None:
        text = names.sub(_neutral, text)
    return _HANDLE.sub(_neutral, text)


def neutral_texts(texts: Sequence[str | None], brands: Iterable[str | None]
                  ) -> list[str | None]:
    """Each text neutralised against every brand in ``brands`` (blank texts kept as they
    are, so they still get no score)."""
    names = pattern(brands)
    return [t if not isinstance(t, str) else neutralise(t, names) for t in texts]
