"""Timestamps in the viewer's time zone. The warehouse keeps UTC; a page writes each moment as
``<time class="local" datetime="2026-03-01T14:05:00Z">2026-03-01 14:05 UTC</time>`` and the
vendored static/localtime.js rewrites the text into the browser's zone (Intl.DateTimeFormat).

Why both: a reader in Manila and one in New York see their own clock, and without JavaScript
(or in a PDF printed elsewhere) the text still says which zone it is in, never a bare time."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from markupsafe import Markup, escape

from cxlens.format import MISSING, cell, minute


def moment(value: object) -> pd.Timestamp | None:
    """``value`` as a UTC moment (a time without a zone is UTC, as the warehouse stores it);
    None for a missing one or one that is not a time of day."""
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return None
    try:
        ts = pd.Timestamp(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if pd.isna(ts):
        return None
    return ts.tz_convert("UTC") if ts.tzinfo else ts.tz_localize("UTC")


def when(value: object) -> Markup:
    """A ``<time>`` element for ``value`` with the UTC text as its fallback; a date alone or
    a text that is no time is shown as the table cell would show it."""
    ts = moment(value)
    if ts is None:
        return Markup(escape(MISSING if value is None else cell(value)))
    iso = ts.strftime("%Y-%m-%dT%H:%M:%SZ")
    return Markup(f'<time datetime="{iso}" class="local">{escape(minute(ts))} UTC</time>')
