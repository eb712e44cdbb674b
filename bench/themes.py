"""Benchmark: the themes page (``/themes``: comment themes per polarity over the warehouse's
default year) on a big warehouse, optionally against an older source tree in the same run —
issue 18, "Freshness at scale".

    .venv/bin/cxlens demo --scale 42 --db /tmp/b43/bench43.duckdb      # ≈ 10 M, once
    cp /tmp/b43/bench43.duckdb /tmp/themes10m/w.duckdb                 # opened read-only
    git archive OLD src | tar -x -C /tmp/themes10m/old                 # the code to compare
    .venv/bin/python bench/themes.py --db /tmp/themes10m/w.duckdb --before /tmp/themes10m/old/src

Each tree runs in its own process (``PYTHONPATH`` = that tree's ``src``), one after the other
on the same file. The page is built twice: ``first`` in a fresh process (imports, the GloVe
table and the catalogue loaded on the way), then ``again`` as a running dashboard builds it
after a data-version bump; ``fetch`` is the comments' read (SQL, to pandas, redaction) timed
apart, and the rest of ``again`` is the themes' work (vectors, sentiment, k-means, labels,
examples, statistics). The 1-minute load average is printed before and after each: the
machine is shared, so compare within a run. The trees' page tables must agree (to 1e-12
relative: a mean per theme is summed in another order; an example by what it says: of texts
with the same words, hence the same vector, the code before showed the one BLAS rounding
ranked first); the script says whether they do.
"""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path

from trees import command


def child(db: str, dump: str) -> dict[str, object]:
    """Time the page and its fetch in this process (whatever ``cxlens`` is on the path)."""
    import cxlens
    from cxlens.accounts.users import User
    from cxlens.present import registry
    from cxlens.present.model import PageCtx
    from cxlens.store import connect
    from cxlens.text import source

    wh = connect(db, migrate=False, read_only=True)
    out: dict[str, object] = {"src": str(Path(cxlens.__file__).parents[1]),
                              "load_before": os.getloadavg()[0]}
    ctx = PageCtx(wh, User("bench", "analyst"))
    t = time.perf_counter()
    registry.build("themes", ctx)
    out["first"] = time.perf_counter() - t
    t = time.perf_counter()
    page = registry.build("themes", ctx)
    out["again"] = again = time.perf_counter() - t
    first, after = source.period(wh, "comments", ctx.filters.start, ctx.filters.end)
    t = time.perf_counter()
    out["comments"] = len(source.comments(wh, first, after))
    out["fetch"] = fetched = time.perf_counter() - t
    out["themes"] = again - fetched
    out["k"] = len(page.tables["themes"])
    out["load_after"] = os.getloadavg()[0]
    with open(dump, "wb") as f:
        pickle.dump(page.tables, f)
    return out


def agree(a: str, b: str) -> str:
    """Whether two dumps of the page's tables agree (to 1e-12 relative)."""
    import pandas as pd

    with open(a, "rb") as f, open(b, "rb") as g:
        left, right = pickle.load(f), pickle.load(g)
    if sorted(left) != sorted(right):
        return f"different tables: {sorted(left)} vs {sorted(right)}"
    ties = 0
    for name in left:
        a, b = left[name], right[name]
        if "examples" in a.columns and "examples" in b.columns:
            # an example is one of the texts that say the same (cxlens.text.themes.distinct):
            # compared by what they say, and the cells that differ only there counted
            ties += int((a["examples"] != b["examples"]).sum())
            a = a.assign(examples=a["examples"].map(_saying))
            b = b.assign(examples=b["examples"].map(_saying))
        try:
            pd.testing.assert_frame_equal(a, b, rtol=1e-12)
        except AssertionError as e:
            return f"table {name} differs: {e}"
    return (f"every table agrees (rtol 1e-12); {ties} theme(s) show another of texts that say "
            "the same (the same words, so the same vector: an exact tie) as an example")


def _saying(cell: object) -> object:
    """An examples cell ("a | b | c") as what its texts say: their words."""
    from cxlens.text.ctfidf import words

    if not isinstance(cell, str):
        return cell
    return " | ".join(" ".join(words(t)) for t in cell.split(" | "))


def main() -> None:
    done = command(__file__, __doc__ or "", child, ".pkl", agree)
    if done is None:
        return
    results, same = done
    print("| code | comments | themes | page, fresh process s | page again s | fetch s "
          "| themes' work s | load before → after |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, r in results:
        print(f"| {name} | {r['comments']:,} | {r['k']} | {r['first']:.1f} | "
              f"{r['again']:.1f} | {r['fetch']:.1f} | {r['themes']:.1f} | "
              f"{r['load_before']:.1f} → {r['load_after']:.1f} |")
    if same:
        print(same)


if __name__ == "__main__":
    main()
