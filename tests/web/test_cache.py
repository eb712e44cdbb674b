"""Pages are cached per data version: pre-computed at start, recomputed after an import."""

from __future__ import annotations

from pathlib import Path

from cxlens import store
from cxlens.accounts.users import User
from cxlens.demo import build_demo
from cxlens.ingest.pipeline import import_files
from cxlens.present import registry
from cxlens.present.filters import Filters
from cxlens.present.model import Page, PageCtx
from cxlens.store.migrate import data_version
from cxlens.web import prewarm
from cxlens.web.app import create_app
from cxlens.web.pages import page_key


def test_prewarm_fills_the_cache_and_an_import_invalidates_it(tmp_path: Path) -> None:
    wh = store.connect(str(tmp_path / "w.duckdb"))
    build_demo(wh, scale=0.01, seed=5)
    st = create_app(wh).state.cxlens
    count = prewarm.warm(st)
    vendors = len(wh.query("SELECT DISTINCT vendor FROM interactions"))
    assert count == len(registry.PAGES) - 1 + 2 * vendors
    user = User("x", "admin")
    key = page_key("overview", Filters(), {}, user)
    calls: list[int] = []

    def compute() -> Page:
        calls.append(1)
        return registry.build("overview", PageCtx(wh, user, Filters()))

    before = st.cached(key, compute)
    assert calls == []  # served from the pre-computed cache, for an admin too
    version = data_version(wh)
    csv = tmp_path / "more.csv"
    csv.write_text("response_id,survey,score,responded_at\n"
                   "X1,csat,1,2026-09-01 10:00\nX2,csat,1,2026-09-01 11:00\n")
    import_files(wh, "survey_responses", [csv])
    assert data_version(wh) != version
    after = st.cached(key, compute)
    assert calls == [1]
    n = {f.metric: f.n for f in after.figures}
    assert n["csat"] == {f.metric: f.n for f in before.figures}["csat"] + 2
    wh.close()


def test_data_arriving_during_the_heavy_pages_reaches_the_light_ones_first(
        tmp_path: Path) -> None:
    """Issue 18: at 10 M the insight pages take minutes; a sync landing meanwhile is shown on
    the light pages before the next insight page, not after the whole pass."""
    import threading
    import time

    from cxlens.web.computing import HEAVY

    wh = store.connect(str(tmp_path / "w.duckdb"))
    build_demo(wh, scale=0.01, seed=5)
    st = create_app(wh).state.cxlens
    vendors = len(wh.query("SELECT DISTINCT vendor FROM interactions WHERE vendor IS NOT NULL"))
    light = len(registry.PAGES) - 1 - len(HEAVY) + 2 * vendors
    counted: list[int] = []
    worker = threading.Thread(target=lambda: counted.append(prewarm.warm(st)))
    worker.start()
    first = next(n for n in prewarm.order() if n in HEAVY)
    deadline = time.monotonic() + 120
    while not any(k[1] == "page" and k[2] == first for k in list(st._cache)):
        assert time.monotonic() < deadline and worker.is_alive()
        time.sleep(0.02)
    csv = tmp_path / "more.csv"
    csv.write_text("response_id,survey,score,responded_at\nX1,csat,1,2026-09-01 10:00\n")
    with st.lock:  # the server's shared connection: one thread at a time
        import_files(wh, "survey_responses", [csv])
    worker.join(300)
    assert counted == [light + len(HEAVY) + light]  # the light pages twice
    user = User("x", "analyst")
    assert st.peek((st.version(page_key("overview", Filters(), {}, user)),
                    *page_key("overview", Filters(), {}, user)))[0]
    wh.close()


def test_the_opened_pages_include_the_qa_scores(tmp_path: Path) -> None:
    """Issue 17: /qa took 2.8 s at 10 M interactions on its first view (its builder caches it
    per QA revision, but nothing computed it before the first visitor)."""
    from cxlens.present.pages import qa as qa_pages

    wh = store.connect(str(tmp_path / "w.duckdb"))
    build_demo(wh, scale=0.01, seed=5)
    st = create_app(wh).state.cxlens
    prewarm.warm_opened(st, wh)
    computed: list[object] = []

    def cache(key: tuple[object, ...], compute: object) -> object:
        def tracked() -> object:
            computed.append(key[0])
            return compute()  # type: ignore[operator]
        return st.cached(key, tracked)

    page = qa_pages.index(PageCtx(wh, User("x", "analyst"), Filters(), {}, cache))
    assert "qa" not in computed and page.tables["by_vendor"] is not None
    wh.close()
