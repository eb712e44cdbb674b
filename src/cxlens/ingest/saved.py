"""Saved mappings: a mapping's YAML kept in the warehouse under a name (``cxlens_meta``, key
``mapping.NAME``), so the dashboard's uploads can reuse it without a file on the server. A
mapping is checked before it is saved; a name holds one mapping (saving again replaces it)."""

from __future__ import annotations

import re

from cxlens.errors import ConfigError, NotFound, did_you_mean
from cxlens.ingest.mapping import Mapping, mapping_from_text
from cxlens.store import meta
from cxlens.store.base import Warehouse

PREFIX = "mapping."
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def names(wh: Warehouse) -> list[str]:
    """The saved mappings' names, sorted."""
    return meta.names(wh, PREFIX)


def check_name(name: str) -> None:
    """Refuse a name a saved mapping cannot have."""
    if not NAME.fullmatch(name):
        raise ConfigError(f"{name!r} cannot name a saved mapping",
                          "use 1 to 64 lower-case letters, digits, - or _ (e.g. acme-tickets)")


def save(wh: Warehouse, name: str, text: str) -> Mapping:
    """Check ``text`` as a mapping and keep it as ``name`` (call inside a transaction)."""
    check_name(name)
    mapping = mapping_from_text(text, f"mapping {name}")
    meta.put(wh, PREFIX + name, text)
    return mapping


def load(wh: Warehouse, name: str) -> Mapping:
    """The saved mapping ``name``."""
    text = meta.get(wh, PREFIX + name)
    if text is None:
        raise NotFound(f"no saved mapping {name!r}.{did_you_mean(name, names(wh))}",
                       "choose one of the list, or upload its YAML with a name to save it")
    return mapping_from_text(text, f"mapping {name}")
