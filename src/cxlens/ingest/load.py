"""The SQL side of an import: a staging table, checks across rows (duplicate keys, unknown
foreign keys, merges into existing rows), and the upsert. Runs inside the import's transaction."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pandas as pd
import pyarrow as pa

from cxlens.ingest.problems import Problem
from cxlens.ingest.transform import ROW
from cxlens.schema import Table, Type
from cxlens.store import ddl
from cxlens.store.base import Warehouse
from cxlens.store.changes import Ranges

SRC, SEQ = "_src", "_seq"
ARROW: dict[Type, pa.DataType] = {
    Type.STRING: pa.string(),
    Type.INTEGER: pa.int64(),
    Type.FLOAT: pa.float64(),
    Type.BOOLEAN: pa.bool_(),
    Type.TIMESTAMP: pa.timestamp("us", tz="UTC"),
}
_stage_names = itertools.count()


def _utc(value: Any) -> dt.datetime:
    ts = pd.Timestamp(value)
    return (ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")).to_pydatetime()


def q(name: str) -> str:
    return ddl.quote(name)


def to_arrow(frame: pd.DataFrame, table: Table, columns: list[str]) -> pa.Table:
    """Typed canonical columns (plus bookkeeping columns) as an Arrow table."""
    fields = [pa.field(c, ARROW[table.column(c).type]) for c in columns if c in table.column_names]
    fields += [pa.field(SRC, pa.string()), pa.field(ROW, pa.int64()), pa.field(SEQ, pa.int64())]
    names = [f.name for f in fields]
    return pa.Table.from_pandas(frame[names], schema=pa.schema(fields), preserve_index=False)


class Stage:
    """A temporary table holding the rows of one import until they are checked and loaded."""

    def __init__(self, wh: Warehouse, table: Table, columns: list[str]) -> None:
        self.wh, self.table = wh, table
        self.columns = [c for c in table.column_names if c in columns]
        self.name = f"_cxlens_stage_{next(_stage_names)}"
        extra = ((SRC, Type.STRING), (ROW, Type.INTEGER), (SEQ, Type.INTEGER))
        sub = Table(table.name, "", tuple(table.column(c) for c in self.columns), key=())
        wh.execute(ddl.create_table(wh.dialect, sub, name=self.name, temporary=True, extra=extra))
        self.seq = 0

    def append(self, frame: pd.DataFrame, source: str) -> None:
        if frame.empty:
            return
        frame = frame.copy()
        frame[SRC] = source
        frame[SEQ] = range(self.seq, self.seq + len(frame))
        self.seq += len(frame)
        self.wh.insert_arrow(self.name, to_arrow(frame, self.table, self.columns))

    def rows(self) -> int:
        return self.wh.count(self.name)

    def _keys(self, alias: str) -> str:
        return ", ".join(f"{alias}.{q(k)}" for k in self.table.key)

    def _join(self, a: str, b: str) -> str:
        return " AND ".join(f"{a}.{q(k)} = {b}.{q(k)}" for k in self.table.key)

    def records(self, where: str) -> pd.DataFrame:
        cols = ", ".join(f"s.{q(c)}" for c in [*self.columns, SRC, ROW])
        return self.wh.query_df(f"SELECT {cols} FROM {self.name} s WHERE {where}")

    def drop_duplicates(self) -> tuple[list[Problem], pd.DataFrame]:
        """Reject every repeat of a key after its first occurrence."""
        keys = self._keys("s")
        dup = self.wh.query_df(
            f"SELECT * FROM (SELECT s.{q(SEQ)}, s.{q(SRC)}, s.{q(ROW)}, "
            f"concat_ws('/', {', '.join(f'CAST(s.{q(k)} AS VARCHAR)' for k in self.table.key)}) "
            f"AS k, row_number() OVER (PARTITION BY {keys} ORDER BY s.{q(SEQ)}) AS rn, "
            f"first_value(s.{q(SRC)}) OVER (PARTITION BY {keys} ORDER BY s.{q(SEQ)}) AS fsrc, "
            f"first_value(s.{q(ROW)}) OVER (PARTITION BY {keys} ORDER BY s.{q(SEQ)}) AS frow "
            f"FROM {self.name} s) d WHERE rn > 1"
        )
        if dup.empty:
            return [], dup
        key_name = "/".join(self.table.key)
        problems = [
            Problem(r[SRC], int(r[ROW]), key_name, r["k"], "duplicate_key",
                    f"duplicate {key_name} (first seen in {r['fsrc']} row {int(r['frow'])}, "
                    "which was kept)",
                    "remove the repeated row, or import the later version on its own to update",
                    "error")
            for _, r in dup.iterrows()
        ]
        seqs = ", ".join(str(int(s)) for s in dup[SEQ])
        records = self.records(f"s.{q(SEQ)} IN ({seqs})")
        self.wh.execute(f"DELETE FROM {self.name} WHERE {q(SEQ)} IN ({seqs})")
        return problems, records

    def unknown_references(self) -> tuple[list[Problem], list[str]]:
        """Warnings for values pointing at rows that do not exist; notes for unchecked ones."""
        problems: list[Problem] = []
        notes: list[str] = []
        for col in self.table.foreign_keys:
            if col.name not in self.columns:
                continue
            assert col.references is not None
            ref_table, ref_col = col.references.split(".")
            self_ref = ref_table == self.table.name
            if not self_ref and not self.wh.scalar(f"SELECT count(*) FROM {q(ref_table)}"):
                notes.append(f"{col.name} not checked: the {ref_table} table is empty")
                continue
            also_stage = (f" AND NOT EXISTS (SELECT 1 FROM {self.name} s2 "
                          f"WHERE s2.{q(ref_col)} = s.{q(col.name)})") if self_ref else ""
            rows = self.wh.query(
                f"SELECT s.{q(SRC)}, s.{q(ROW)}, s.{q(col.name)} FROM {self.name} s "
                f"WHERE s.{q(col.name)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                f"{q(ref_table)} r WHERE r.{q(ref_col)} = s.{q(col.name)}){also_stage}"
            )
            problems += [
                Problem(src, int(row), col.name, str(value), "unknown_reference",
                        f"{col.name} {value!r} is not in {ref_table} (the row was kept)",
                        f"import the {ref_table} first, or check the id", "warning")
                for src, row, value in rows
            ]
        return problems, notes

    def missing_targets(self) -> tuple[list[Problem], pd.DataFrame]:
        """Merge mode: rows whose key is not in the table cannot be merged."""
        where = (f"NOT EXISTS (SELECT 1 FROM {q(self.table.name)} t "
                 f"WHERE {self._join('t', 's')})")
        records = self.records(where)
        if records.empty:
            return [], records
        key = "/".join(self.table.key)
        problems = [
            Problem(r[SRC], int(r[ROW]), key, str(r[self.table.key[0]]), "no_row_to_merge",
                    f"no {self.table.name} row with this {key} to update",
                    "import the rows themselves first (e.g. the tickets export), then merge",
                    "error")
            for _, r in records.iterrows()
        ]
        self.wh.execute(f"DELETE FROM {self.name} s WHERE {where}")
        return problems, records

    def merged_time_order(self, empty: bool = False) -> tuple[list[Problem], pd.DataFrame]:
        """Merge mode: check time order on the rows as they will be after the merge. With
        ``empty`` (the mapping's ``time_order: empty``) a later time the merge brings is
        emptied and the row kept, flagged; a row whose wrong time is already stored is still
        rejected, since the merge does not touch that column."""
        problems: list[Problem] = []
        bad_seqs: set[int] = set()
        for early, late in self.table.time_order:
            if early not in self.columns and late not in self.columns:
                continue
            e = f"s.{q(early)}" if early in self.columns else f"t.{q(early)}"
            la = f"s.{q(late)}" if late in self.columns else f"t.{q(late)}"
            if early in self.columns:
                e = f"coalesce(s.{q(early)}, t.{q(early)})"
            if late in self.columns:
                la = f"coalesce(s.{q(late)}, t.{q(late)})"
            rows = self.wh.query(
                f"SELECT s.{q(SEQ)}, s.{q(SRC)}, s.{q(ROW)} FROM {self.name} s "
                f"JOIN {q(self.table.name)} t ON {self._join('t', 's')} WHERE {la} < {e}"
            )
            emptied: list[int] = []
            for seq, src, row in rows:
                if empty and late in self.columns:
                    emptied.append(int(seq))
                    problems.append(Problem(src, int(row), late, None, "time_order",
                                            f"{late} would be before {early} after the merge: "
                                            f"{late} emptied, the row kept",
                                            f"check the time zones and {early}/{late}",
                                            "warning"))
                    continue
                bad_seqs.add(int(seq))
                problems.append(Problem(src, int(row), late, None, "time_order",
                                        f"{late} would be before {early} after the merge",
                                        f"check the time zones and {early}/{late}", "error"))
            if emptied:
                self.wh.execute(f"UPDATE {self.name} SET {q(late)} = NULL WHERE {q(SEQ)} IN "
                                f"({', '.join(map(str, emptied))})")
        if not bad_seqs:
            return problems, pd.DataFrame()
        seqs = ", ".join(map(str, sorted(bad_seqs)))
        records = self.records(f"s.{q(SEQ)} IN ({seqs})")
        self.wh.execute(f"DELETE FROM {self.name} WHERE {q(SEQ)} IN ({seqs})")
        return problems, records

    def existing(self) -> int:
        return int(self.wh.scalar(
            f"SELECT count(*) FROM {self.name} s WHERE EXISTS (SELECT 1 FROM "
            f"{q(self.table.name)} t WHERE {self._join('t', 's')})"))

    def touched(self) -> Ranges:
        """Call before ``upsert`` or ``merge``: per table whose rows this import can move (the
        table itself: the staged rows and the stored rows they replace; every table referring
        to it: its rows pointing at a staged key), per time column, the earliest and latest
        time (:mod:`cxlens.store.changes`)."""
        from cxlens.schema import TABLES

        out: Ranges = {}
        target, cols = q(self.table.name), self._times(self.table)
        if cols:
            staged = ", ".join(f"s.{q(c)}" if c in self.columns else f"NULL AS {q(c)}"
                               for c in cols)
            stored = ", ".join(f"t.{q(c)}" for c in cols)
            union = (f"SELECT {staged} FROM {self.name} s UNION ALL SELECT {stored} FROM "
                     f"{target} t WHERE EXISTS (SELECT 1 FROM {self.name} s WHERE "
                     f"{self._join('t', 's')})")
            self._spans(out, self.table.name, cols, union)
        if len(self.table.key) != 1:
            return out
        (key,) = self.table.key
        for other in TABLES.values():
            refs = [c.name for c in other.foreign_keys
                    if c.references == f"{self.table.name}.{key}" and other is not self.table]
            times = self._times(other)
            if not refs or not times:
                continue
            hit = " OR ".join(f"r.{q(c)} IN (SELECT s.{q(key)} FROM {self.name} s)"
                              for c in refs)
            self._spans(out, other.name, times, f"SELECT {', '.join(f'r.{q(c)}' for c in times)}"
                        f" FROM {q(other.name)} r WHERE {hit}")
        return out

    @staticmethod
    def _times(table: Table) -> list[str]:
        return [c.name for c in table.columns if c.type is Type.TIMESTAMP]

    def _spans(self, out: Ranges, table: str, cols: list[str], rows: str) -> None:
        aggs = ", ".join(f"min({q(c)}), max({q(c)})" for c in cols)
        found = self.wh.query(f"SELECT {aggs} FROM ({rows}) AS u")[0]
        spans = {c: (_utc(found[2 * i]), _utc(found[2 * i + 1])) for i, c in enumerate(cols)
                 if found[2 * i] is not None}
        if spans:
            out[table] = spans

    def upsert(self) -> None:
        cols = ", ".join(q(c) for c in self.columns)
        target = q(self.table.name)
        self.wh.execute(f"DELETE FROM {target} WHERE EXISTS (SELECT 1 FROM {self.name} s "
                        f"WHERE {self._join(target, 's')})")
        self.wh.execute(f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {self.name}")

    def merge(self) -> None:
        sets = ", ".join(f"{q(c)} = s.{q(c)}" for c in self.columns if c not in self.table.key)
        if sets:
            target = q(self.table.name)
            self.wh.execute(f"UPDATE {target} SET {sets} FROM {self.name} s "
                            f"WHERE {self._join(target, 's')}")

    def drop(self) -> None:
        self.wh.execute(f"DROP TABLE IF EXISTS {self.name}")


def as_records(frame: pd.DataFrame) -> dict[tuple[str, int], dict[str, Any]]:
    """Rows keyed by (file, row) for the quarantine's ``record`` column."""
    out: dict[tuple[str, int], dict[str, Any]] = {}
    if frame.empty:
        return out
    for rec in frame.to_dict("records"):
        src, row = rec.pop(SRC), int(rec.pop(ROW))
        out[(src, row)] = {str(k): v for k, v in rec.items() if v is not None and v == v}
    return out
