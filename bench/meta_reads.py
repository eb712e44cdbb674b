"""Count: how many times one statistics request reads the data versions from ``cxlens_meta``,
optionally against an older source tree in the same run (the review of issue 18's kept
statistics: ``partials.kept`` read them, then ``prepared.frame`` read them again).

    .venv/bin/cxlens demo --scale 0.05 --db /tmp/meta/small.duckdb
    git archive OLD src | tar -x -C /tmp/meta/old
    .venv/bin/python bench/meta_reads.py --db /tmp/meta/small.duckdb --before /tmp/meta/old/src

Each tree runs in its own process, on the same file opened read-only. Per request: the
statements run (``store.trace.recording``) while it is computed from nothing (``fresh``),
asked again with nothing changed (``again``: the kept frames) and asked with its window slid
(``slid``: the periods at the edges computed again); the version reads among them, and the
statistics requests (``partials.kept`` calls) they served. The counts do not depend on the
warehouse's size. The trees' figures must be identical; the script says whether they are.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

from trees import command

#: (metrics, arguments, the slid window's arguments)
REQUESTS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("csat", {"by": "vendor", "grain": "month", "start": "2025-10-07", "end": "2026-03-20"},
     {"start": "2025-11-15", "end": "2026-05-03"}),
    ("csat,nps,fcr", {"by": "vendor", "grain": "month", "start": "2025-10-07",
                      "end": "2026-03-20"}, {"start": "2025-11-15", "end": "2026-05-03"}),
    ("aht,asa,first_response_time:p90", {"by": "channel", "start": "2025-10-07",
                                         "end": "2026-03-20"},
     {"start": "2025-11-15", "end": "2026-05-03"}),
]
#: The statement ``changes.versions`` runs.
VERSIONS_READ = "FROM cxlens_meta WHERE key = ? OR key LIKE ?"
#: ``partials.counts`` keys counted once per ``kept`` call.
ANSWERS = ("hit", "patched", "full", "uncached")


def child(db: str, dump: str) -> dict[str, object]:
    """Count in this process (whatever ``cxlens`` is on the path)."""
    import cxlens
    from cxlens.metrics import partials, prepared
    from cxlens.metrics.query import query
    from cxlens.store import connect, trace
    from cxlens.store.duck import DuckDBWarehouse

    out: dict[str, object] = {"src": str(Path(cxlens.__file__).parents[1])}
    frames = []
    with connect(db, migrate=False, read_only=True) as wh:
        assert isinstance(wh, DuckDBWarehouse)  # (the recording is DuckDB's)
        for names, kw, slid in REQUESTS:
            partials.clear()
            prepared.clear()
            for step, args in (("fresh", kw), ("again", kw), ("slid", kw | slid)):
                before = partials.counts.copy()
                with trace.recording(wh) as (rec, ran):
                    frames.append(query(names, db=rec, **args))
                done = partials.counts - before
                out[f"{names} {step}"] = [sum(VERSIONS_READ in s for s in ran.sql),
                                          sum(done[k] for k in ANSWERS)]
    with open(dump, "wb") as f:
        pickle.dump(frames, f)
    return out


def agree(a: str, b: str) -> str:
    """Whether the two trees' figures are identical."""
    import pandas as pd

    with open(a, "rb") as f, open(b, "rb") as g:
        left, right = pickle.load(f), pickle.load(g)
    for x, y in zip(left, right, strict=True):
        pd.testing.assert_frame_equal(x, y, check_exact=True)
    return f"every figure identical ({len(left)} frames, compared exactly)"


def main() -> None:
    done = command(__file__, __doc__ or "", child, ".pkl", agree)
    if done is None:
        return
    results, same = done
    names = [f"{n} {s}" for n, _, _ in REQUESTS for s in ("fresh", "again", "slid")]
    print("| request | statistics requests | " + " | ".join(
        f"version reads, {name}" for name, _ in results) + " |")
    print("|---|---:|" + "---:|" * len(results))
    for key in names:
        counted: list[Any] = [r[key] for _, r in results]  # [version reads, requests]
        print(f"| {key} | {counted[-1][1]} | " + " | ".join(str(c[0]) for c in counted) + " |")
    if same:
        print(same)


if __name__ == "__main__":
    main()
