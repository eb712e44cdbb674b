"""Themes kept in the warehouse, so a theme has an id, a name and a history (docs/text.md).

* ``cxlens_themes``: one row per theme ever found, with its polarity, the label its latest run
  gave it (c-TF-IDF terms), the user's ``name`` (kept across runs), ``pinned``, ``merged_into``
  and the centroid the next run is matched against.
* ``cxlens_theme_runs``: one row per tracked run (period, comments, model, data version).
* ``cxlens_theme_assignments``: the theme of each comment, per run — what a theme's monthly
  volume and the emerging-theme alert are computed from. Only the latest :data:`KEEP_RUNS`
  runs keep theirs (1.5 M comments a run at 10 M interactions).

A merged theme keeps its row (so a later run that finds it again still lands in the theme it
was merged into); every reader resolves ``merged_into`` through :func:`resolve`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cxlens.errors import ConfigError, NotFound
from cxlens.personal import by, delete, keep
from cxlens.schema import Column, Table, Type
from cxlens.store.base import Warehouse
from cxlens.store.migrate import bump_data_version
from cxlens.text.embed import MODEL as WORDLLAMA_MODEL

if TYPE_CHECKING:
    import pandas as pd

_S, _T, _I, _B, _F = Type.STRING, Type.TIMESTAMP, Type.INTEGER, Type.BOOLEAN, Type.FLOAT
#: Runs whose comment assignments are kept (the latest ones).
KEEP_RUNS = 2
POLARITIES = ("negative", "neutral", "positive")

THEMES = Table("cxlens_themes", "Themes of comments, tracked from run to run (docs/text.md).", (
    Column("theme_id", _I, "Stable id: the same theme keeps it run after run.", required=True),
    Column("polarity", _S, "negative, neutral or positive: themes are found separately for "
           "each sentiment label.", required=True),
    Column("label", _S, "Its top c-TF-IDF terms in the latest run that found it."),
    Column("name", _S, "The user's name for it (cxlens themes rename); empty: the label."),
    Column("terms", _S, "Its top terms, comma-separated (latest run)."),
    Column("centroid", _S, "Unit-length centroid of its comments' vectors, from the latest "
           "run in a fixed space that found it: JSON {\"vectors\": model, \"centroid\": "
           "[…]} (a bare list: WordLlama's, before the vectors were a setting; an empty "
           "centroid when only runs with per-run vectors, LSA, found it). The next run in the "
           "same fixed space matches its clusters against it."),
    Column("pinned", _B, "Pinned by the user: listed first, shown even in a run that does "
           "not find it."),
    Column("merged_into", _I, "The theme it was merged into (cxlens themes merge)."),
    Column("first_seen", _T, "When the run that created it ran.", required=True),
    Column("last_seen", _T, "When the latest run that found it ran.", required=True),
), key=("theme_id",), personal=keep("labels and terms of groups of redacted comments; no "
                                    "customer rows"))

RUNS = Table("cxlens_theme_runs", "Tracked theme runs (cxlens themes track).", (
    Column("run_id", _I, "1, 2, … in the order they ran.", required=True),
    Column("ran_at", _T, "When it ran.", required=True),
    Column("first_day", _S, "First day of the comments clustered (YYYY-MM-DD).",
           required=True),
    Column("last_day", _S, "Last day, included.", required=True),
    Column("comments", _I, "Comments clustered."),
    Column("model", _S, "The vectors it clustered (cxlens themes vectors): GloVe's, "
           "WordLlama's or LSA's model."),
    Column("threshold", _F, "Centroid cosine similarity a match needed."),
    Column("data_version", _S, "The warehouse's data version when it ran."),
), key=("run_id",), personal=keep("counts and dates of a computation, no customer data"))

ASSIGNMENTS = Table("cxlens_theme_assignments", "The theme of each comment, per tracked run.", (
    Column("run_id", _I, "The run.", required=True),
    Column("response_id", _S, "The survey answer whose comment it is.", required=True),
    Column("theme_id", _I, "The theme the run put it in (before merges are resolved)."),
    Column("polarity", _S, "The comment's sentiment label.", required=True),
    Column("sentiment", _F, "The comment's sentiment compound score (-1…1)."),
    Column("month", _S, "UTC month of the answer (YYYY-MM).", required=True),
), key=("run_id", "response_id"), personal=delete(by("response")))

TABLES = (THEMES, RUNS, ASSIGNMENTS)
#: What a tracked run writes (an edit: the themes only): its data-version bump names only these,
#: so the pages reading no theme stay cached (tests/store/test_scoped_bumps.py).
WRITES = (THEMES.name, RUNS.name, ASSIGNMENTS.name)


@dataclass(frozen=True)
class Stored:
    theme_id: int
    polarity: str
    label: str
    name: str | None
    terms: str
    centroid: list[float]
    pinned: bool
    merged_into: int | None
    first_seen: dt.datetime
    last_seen: dt.datetime
    #: the vectors (model) its centroid is in
    space: str = WORDLLAMA_MODEL

    @property
    def title(self) -> str:
        """What the user sees: their name, else the terms' label."""
        return self.name or self.label or f"theme {self.theme_id}"


_COLUMNS = ("theme_id", "polarity", "label", "name", "terms", "centroid", "pinned",
            "merged_into", "first_seen", "last_seen")


def stored(wh: Warehouse) -> list[Stored]:
    """Every theme, by id."""
    rows = wh.query(f"SELECT {', '.join(_COLUMNS)} FROM cxlens_themes ORDER BY theme_id")
    out = []
    for r in rows:
        space, centroid = read_centroid(r[5])
        out.append(Stored(int(r[0]), str(r[1]), str(r[2] or ""), r[3] or None, str(r[4] or ""),
                          centroid, bool(r[6]), None if r[7] is None else int(r[7]), r[8], r[9],
                          space))
    return out


def read_centroid(text: str | None) -> tuple[str, list[float]]:
    """(model, centroid) of a stored ``centroid`` value; a bare list was written when
    WordLlama was the only vectors."""
    value = json.loads(text or "[]")
    if isinstance(value, dict):
        return str(value["vectors"]), [float(v) for v in value["centroid"]]
    return WORDLLAMA_MODEL, [float(v) for v in value]


def write_centroid(space: str, centroid: Sequence[float]) -> str:
    return json.dumps({"vectors": space,
                       "centroid": [round(float(v), 6) for v in centroid]})


def resolve(themes: Iterable[Stored]) -> dict[int, int]:
    """theme id → the id its comments count under: itself, or the end of its ``merged_into``
    chain (merge refuses cycles, so a chain ends)."""
    into = {t.theme_id: t.merged_into for t in themes}
    out: dict[int, int] = {}
    for start in into:
        t, seen = start, {start}
        while into.get(t) is not None and into[t] not in seen:
            t = int(into[t])  # type: ignore[arg-type]
            seen.add(t)
        out[start] = t
    return out


def one(wh: Warehouse, theme_id: int) -> Stored:
    themes = stored(wh)
    for t in themes:
        if t.theme_id == theme_id:
            return t
    ids = ", ".join(str(t.theme_id) for t in themes[:20]) or "none yet"
    raise NotFound(f"no theme {theme_id} (themes: {ids})",
                   "cxlens themes list shows the ids; cxlens themes track finds themes")


def _change(wh: Warehouse, sql: str, params: list[Any]) -> None:
    """A user's edit, with a new data version: the dashboard's cached themes page is keyed by
    it and must show the new name."""
    with wh.transaction():
        wh.execute(sql, params)
        bump_data_version(wh, (THEMES.name,))


def rename(wh: Warehouse, theme_id: int, name: str) -> Stored:
    """Give a theme the user's name (kept by every later run that finds it); an empty name
    goes back to the terms' label."""
    one(wh, theme_id)
    clean = " ".join(name.split())
    if len(clean) > 120:
        raise ConfigError(f"a theme name has at most 120 characters, got {len(clean)}",
                          "give a shorter name")
    _change(wh, "UPDATE cxlens_themes SET name = ? WHERE theme_id = ?",
            [clean or None, theme_id])
    return one(wh, theme_id)


def merge(wh: Warehouse, theme_id: int, into: int) -> Stored:
    """Count ``theme_id``'s comments under ``into`` from now on (past runs included: merges
    are resolved when read)."""
    source, target = one(wh, theme_id), one(wh, into)
    final = resolve(stored(wh))
    if theme_id == into or final[into] == theme_id:
        raise ConfigError(f"theme {theme_id} cannot be merged into {into}: "
                          + ("it is the same theme" if theme_id == into
                             else f"{into} is already merged into {theme_id}"),
                          "merge into a theme that is not merged into this one")
    if source.polarity != target.polarity:
        raise ConfigError(f"theme {theme_id} is {source.polarity} and theme {into} is "
                          f"{target.polarity}: merging them would mix praise and complaints",
                          "merge themes of the same polarity (cxlens themes list)")
    _change(wh, "UPDATE cxlens_themes SET merged_into = ? WHERE theme_id = ?", [into, theme_id])
    return one(wh, theme_id)


def pin(wh: Warehouse, theme_id: int, pinned: bool = True) -> Stored:
    one(wh, theme_id)
    _change(wh, "UPDATE cxlens_themes SET pinned = ? WHERE theme_id = ?", [pinned, theme_id])
    return one(wh, theme_id)


@dataclass(frozen=True)
class Found:
    """One cluster of a run, as it is written back: matched (``theme_id`` known) or new.
    ``centroid`` None: the run's vectors are its own (LSA), so a matched theme keeps the
    centroid it had and a new one gets none."""

    theme_id: int
    polarity: str
    label: str
    terms: str
    centroid: Sequence[float] | None
    new: bool
    space: str = WORDLLAMA_MODEL


def save_run(wh: Warehouse, run: dict[str, Any], found: Sequence[Found],
             assignments: pd.DataFrame) -> None:
    """Write a run in one transaction: the run, its themes (new ones inserted, matched ones
    given the run's label, terms and centroid (when the run's space is fixed) — the user's
    name, pin and merge untouched), the comments' themes; assignments of runs older than the
    latest :data:`KEEP_RUNS` dropped."""
    import pyarrow as pa

    at = run["ran_at"]
    with wh.transaction():
        wh.insert_rows("cxlens_theme_runs", list(run), [list(run.values())])
        for f in found:
            centroid = write_centroid(f.space, f.centroid or [])
            if f.new:
                wh.insert_rows("cxlens_themes", list(_COLUMNS),
                               [[f.theme_id, f.polarity, f.label, None, f.terms, centroid,
                                 False, None, at, at]])
            elif f.centroid is None:
                wh.execute("UPDATE cxlens_themes SET label = ?, terms = ?, last_seen = ? "
                           "WHERE theme_id = ?", [f.label, f.terms, at, f.theme_id])
            else:
                wh.execute("UPDATE cxlens_themes SET label = ?, terms = ?, centroid = ?, "
                           "last_seen = ? WHERE theme_id = ?",
                           [f.label, f.terms, centroid, at, f.theme_id])
        if len(assignments):
            frame = assignments.reindex(columns=list(ASSIGNMENTS.column_names))
            frame = frame.assign(run_id=run["run_id"])
            wh.insert_arrow("cxlens_theme_assignments", pa.Table.from_pandas(
                frame, preserve_index=False, schema=pa.schema([
                    ("run_id", pa.int64()), ("response_id", pa.string()),
                    ("theme_id", pa.int64()), ("polarity", pa.string()),
                    ("sentiment", pa.float64()), ("month", pa.string())])))
        wh.execute("DELETE FROM cxlens_theme_assignments WHERE run_id <= ?",
                   [int(run["run_id"]) - KEEP_RUNS])
        bump_data_version(wh, WRITES)  # the themes page shows the new run


def next_ids(wh: Warehouse) -> tuple[int, int]:
    """(next run id, next theme id)."""
    run = wh.scalar("SELECT max(run_id) FROM cxlens_theme_runs")
    theme = wh.scalar("SELECT max(theme_id) FROM cxlens_themes")
    return int(run or 0) + 1, int(theme or 0) + 1


def latest_run(wh: Warehouse) -> dict[str, Any] | None:
    """The latest run's row, or None before the first."""
    cols = RUNS.column_names
    rows = wh.query(f"SELECT {', '.join(cols)} FROM cxlens_theme_runs "
                    "ORDER BY run_id DESC LIMIT 1")
    return dict(zip(cols, rows[0], strict=True)) if rows else None


def assignments(wh: Warehouse, run_id: int) -> pd.DataFrame:
    """The comments' themes in ``run_id`` (as stored: merges not resolved)."""
    return wh.query_df("SELECT response_id, theme_id, polarity, sentiment, month "
                       "FROM cxlens_theme_assignments WHERE run_id = ?", [run_id])


def monthly_counts(wh: Warehouse, run_id: int) -> pd.DataFrame:
    """Comments per (stored) theme and month in ``run_id``, counted in the warehouse so the
    alert check never loads the comments: ``theme_id``, ``month``, ``comments``; a NULL
    theme_id counts the comments no theme took."""
    return wh.query_df("SELECT theme_id, month, count(*) AS comments "
                       "FROM cxlens_theme_assignments WHERE run_id = ? "
                       "GROUP BY theme_id, month", [run_id])
