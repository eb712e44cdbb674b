"""The themes page uses the warehouse's theme vectors (cxlens themes vectors), on a real server
over hand-built comments: GloVe (the default) until LSA is chosen, then LSA on the next request (choosing
bumps the data version the page cache is keyed by), and the kept run's note names its vectors."""

from __future__ import annotations

import datetime as dt
from contextlib import closing
from pathlib import Path

from cxlens import accounts, store
from cxlens.accounts import users
from cxlens.text import glove, lsa
from cxlens.text import vectors as theme_vectors
from cxlens.text.theme_track import track
from cxlens.web.app import create_app
from tests.text.theme_comments import COLUMNS, month_of_comments
from tests.web.conftest import Server, login
from tests.web.server import PASSWORD, running


def test_the_page_clusters_with_the_warehouses_choice(tmp_path: Path) -> None:
    wh = store.connect(str(tmp_path / "cx.duckdb"))
    accounts.ensure(wh)
    users.add(wh, "ann", PASSWORD, "analyst", None)
    wh.insert_rows("survey_responses", COLUMNS, month_of_comments(dt.date(2026, 1, 1)))
    app = create_app(wh)
    try:
        with running(app) as url, closing(login(Server(url, wh, app), "ann")) as client:
            query = {"from": "2026-01-01", "to": "2026-01-31"}
            body = client.get("/api/pages/themes", params=query).json()
            assert any(f"vectors {glove.MODEL} (cxlens themes vectors)" in n
                       for n in body["notes"])
            theme_vectors.choose(wh, "lsa")  # nothing else changes: the choice alone
            again = client.get("/api/pages/themes", params=query).json()
            assert any(f"vectors {lsa.MODEL} (cxlens themes vectors)" in n
                       for n in again["notes"])
            # six sentences, twenty answers each: one theme per sentence with LSA too
            assert sorted(r["comments"] for r in again["tables"]["themes"]) == [20] * 6
            track(wh, "2026-01-01", "2026-01-31")
            kept = client.get("/api/pages/themes", params=query).json()
            assert any("Kept themes: run 1" in n and f"vectors {lsa.MODEL}" in n
                       for n in kept["notes"])
    finally:
        wh.close()
