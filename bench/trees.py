"""Run a benchmark script again in a child process on another source tree (``--before``):
the before/after comparisons of bench/drivers.py, customers.py, sentiment.py, themes.py and
meta_reads.py, each tree in a process of its own so neither imports the other's modules."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

#: This checkout's source tree.
HERE = Path(__file__).resolve().parents[1] / "src"


def in_tree(script: str, src: Path, args: list[str]) -> dict[str, object]:
    """``script args`` run with ``src`` first on the import path; its last line of output,
    read as JSON."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run([sys.executable, script, *args], env=env, check=True,
                          capture_output=True, text=True)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


Results = list[tuple[str, dict[str, object]]]


def before_and_after(script: str, db: str, before: Path | None, suffix: str,
                     compare: Callable[[str, str], str]) -> tuple[Results, str]:
    """``script --db DB --child DUMP`` on the older tree (when given), then on this one, each
    result echoed to stderr; with both, ``compare`` of the two dumps (files named ``*suffix``)."""
    trees = ([("before", before)] if before else []) + [("this tree", HERE)]
    results: Results = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, src) in enumerate(trees):
            r = in_tree(script, src, ["--db", db, "--child", f"{tmp}/{i}{suffix}"])
            results.append((name, r))
            print(f"{name}: {json.dumps(r)}", file=sys.stderr)
        verdict = compare(f"{tmp}/0{suffix}", f"{tmp}/1{suffix}") if len(trees) == 2 else ""
    return results, verdict


def command(script: str, doc: str, child: Callable[[str, str], dict[str, object]],
            suffix: str, compare: Callable[[str, str], str]) -> tuple[Results, str] | None:
    """The command line these scripts share: ``--db`` and ``--before``. Run as a tree's child
    (``--child DUMP``), prints ``child(db, dump)`` as JSON and returns None; otherwise
    :func:`before_and_after`'s results and verdict, for the script to print."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--db", required=True, help="the warehouse (opened read-only)")
    parser.add_argument("--before", type=Path, help="an older tree's src/ to run first")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.db, args.child)))
        return None
    return before_and_after(script, args.db, args.before, suffix, compare)
