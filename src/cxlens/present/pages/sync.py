"""``/admin/sync``: the helpdesk connectors' runs (when, what landed, what went wrong), each
stream's cursor, and the schedule a server syncs on (interval, accounts, next run). It reads
only the warehouse (``sync_runs``, ``sync_state``, the published schedule), so runs made by
cron with ``cxlens sync`` show as well as the server's own."""

from __future__ import annotations

import pandas as pd

from cxlens.connectors import state
from cxlens.connectors.schedule import published
from cxlens.present.model import Page, PageCtx

#: Runs shown (the newest first).
RUNS = 30


def sync(ctx: PageCtx) -> Page:
    """Tables ``runs`` (the latest ``RUNS`` runs) and ``cursors`` (each stream's position);
    ``extra``: ``schedule`` (every_minutes, accounts, next_run) or None."""
    page = Page("admin_sync", "Sync")
    runs = state.last_runs(ctx.wh, RUNS)
    page.tables["runs"] = pd.DataFrame(runs, columns=[c.name for c in state.RUNS.columns])
    page.tables["cursors"] = pd.DataFrame(
        state.positions(ctx.wh),
        columns=["source", "stream", "cursor", "committed_at"])
    page.extra.update(runs=runs, schedule=published(ctx.wh))
    return page
