"""Issue 18, uploads in the dashboard: admins and analysts upload a file, see the dry run's
problems (file, row, column, fix) before anything is written, import it, and see its
quarantine; the pages show the new rows at once (the import bumps the data version under the
page cache). A real server (tests/web/server.py) on its own empty DuckDB warehouse, so the
shared demo's figures stay as other tests expect them; the last test drives it in Chromium."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser

from cxlens import accounts, store
from cxlens.accounts import audit, users
from cxlens.store.migrate import data_version
from cxlens.web.app import create_app
from tests.web.conftest import csrf_of, login
from tests.web.server import PASSWORD, Server, running
from tests.web.test_browser import ARTIFACTS, Watched
from tests.web.test_phone import LAPTOP, PHONE, overflow

#: Five interactions of a new vendor; row 4 (the header is row 1) has an unknown channel,
#: row 5 a created_at that is no date: three rows load, two go to quarantine.
CSV = """interaction_id,channel,vendor,agent_id,created_at,resolved_at
up-1,email,Zephyr BPO,z-ann,2026-09-28 09:00:00,2026-09-28 12:00:00
up-2,phone,Zephyr BPO,z-bob,2026-09-28 10:00:00,2026-09-28 10:30:00
up-3,pigeon,Zephyr BPO,z-ann,2026-09-29 11:00:00,
up-4,chat,Zephyr BPO,z-bob,not a date,
up-5,chat,Zephyr BPO,z-cat,2026-09-30 08:00:00,2026-09-30 08:20:00
"""
BAD_ROWS = [("upload/zephyr.csv", "4", "channel", "pigeon"),
            ("upload/zephyr.csv", "5", "created_at", "not a date")]


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    path = tmp_path_factory.mktemp("uploads") / "uploads.duckdb"
    wh = store.connect(str(path))
    accounts.ensure(wh)
    for name, role, vendor in (("admin", "admin", None), ("ann", "analyst", None),
                               ("acme", "vendor", "Acme BPO")):
        users.add(wh, name, PASSWORD, role, vendor)
    app = create_app(wh)
    with running(app) as url:
        yield Server(url, wh, app)
    wh.close()


@pytest.fixture
def ann(up: Server) -> Iterator[httpx.Client]:
    with closing(login(up, "ann")) as client:
        yield client


def post(client: httpx.Client, action: str, text: str = CSV, name: str = "zephyr.csv",
         **fields: str) -> httpx.Response:
    csrf = csrf_of(client.get("/uploads").text)
    return client.post("/uploads", data={"csrf_token": csrf, "action": action,
                                         "table": "interactions", **fields},
                       files={"file": (name, text.encode(), "text/csv")})


def problem_rows(html: str) -> list[tuple[str, ...]]:
    """(file, row, column, value) of each row of the problems table."""
    body = html.split('id="problems"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr class=\"\w+\">(.*?)</tr>", body, re.S)
    return [tuple(re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)[:4]) for r in rows]


def count(up: Server, sql: str, params: list[object] | None = None) -> object:
    with up.app.state.cxlens.lock:  # type: ignore[attr-defined]
        return up.wh.scalar(sql, params or [])


def test_a_vendor_viewer_may_not_upload(up: Server) -> None:
    with closing(login(up, "acme")) as acme:
        assert acme.get("/uploads", headers={"accept": "application/json"}).status_code == 403
        csrf = csrf_of(acme.get("/account/password").text)
        r = acme.post("/uploads", data={"csrf_token": csrf, "action": "commit"},
                      files={"file": ("zephyr.csv", CSV.encode(), "text/csv")})
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "forbidden"
        assert 'href="/uploads"' not in acme.get("/overview").text  # not in their menu


def test_a_post_without_the_csrf_token_is_refused(ann: httpx.Client) -> None:
    r = ann.post("/uploads", data={"action": "commit", "table": "interactions"},
                 files={"file": ("zephyr.csv", CSV.encode(), "text/csv")})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "csrf_failed"


def test_the_check_lists_every_problem_and_writes_nothing(up: Server,
                                                          ann: httpx.Client) -> None:
    before = (count(up, "SELECT count(*) FROM interactions"),
              count(up, "SELECT count(*) FROM quarantine"), data_version(up.wh))
    r = post(ann, "check")
    assert r.status_code == 200
    assert problem_rows(r.text) == BAD_ROWS
    assert "5 row(s) read: 3 new, 0 already there (updated), 2 to quarantine" in r.text
    assert "Import 3 row(s), quarantine 2" in r.text  # the commit button, now enabled
    after = (count(up, "SELECT count(*) FROM interactions"),
             count(up, "SELECT count(*) FROM quarantine"), data_version(up.wh))
    assert after == before


def test_a_refused_file_says_why_and_leaves_the_import_disabled(ann: httpx.Client) -> None:
    r = post(ann, "check", text="ticket,when\n1,2026-01-01\n")
    assert r.status_code == 400
    assert "required column(s) interaction_id, channel, created_at of interactions are " \
           "missing" in r.text
    assert re.search(r'<button[^>]*id="commit"[^>]*disabled', r.text)


def test_the_import_lands_quarantines_audits_and_refreshes_the_pages(
        up: Server, ann: httpx.Client) -> None:
    vendors = ann.get("/api/pages/vendors").json()  # cached for this data version
    assert not [r for r in vendors["tables"]["kpis"] if r["vendor"] == "Zephyr BPO"]
    r = post(ann, "commit")
    assert r.status_code == 303
    target = r.headers["location"]
    import_id = target.rsplit("/", 1)[1]
    ids = up.wh.query("SELECT interaction_id FROM interactions WHERE vendor = 'Zephyr BPO' "
                      "ORDER BY 1")
    assert [i for (i,) in ids] == ["up-1", "up-2", "up-5"]
    page = ann.get(target).text.split('id="quarantine"', 1)[1]
    quarantined = re.findall(r'<tr><td class="file">(.*?)</td><td>(\d+)</td><td>(\w+)</td>',
                             page)
    assert quarantined == [("upload/zephyr.csv", "4", "rejected"),
                           ("upload/zephyr.csv", "5", "rejected")]
    volume = [r["value"] for r in ann.get("/api/pages/vendors").json()["tables"]["kpis"]
              if r["vendor"] == "Zephyr BPO" and r["metric"] == "contact_volume"]
    assert volume == [3.0]
    assert "Zephyr BPO" in ann.get("/vendors").text
    with up.app.state.cxlens.lock:  # type: ignore[attr-defined]
        entries = [e for e in audit.recent(up.wh, 20) if e[2] == "import"]
    assert entries[0][1] == "ann"
    assert str(entries[0][3]).startswith(f"interactions {import_id} (dashboard upload): "
                                         "upload/zephyr.csv; 5 read, 3 loaded, 2 quarantined")
    assert f'href="/uploads/{import_id}"' in ann.get("/uploads").text


def test_an_upload_leaves_no_file_behind_and_keeps_only_its_name(
        up: Server, ann: httpx.Client, tmp_path: Path) -> None:
    spool = tmp_path / "tmp"
    spool.mkdir()
    saved, tempfile.tempdir = tempfile.tempdir, str(spool)
    try:
        big = CSV + "".join(f"up-x{i},chat,Zephyr BPO,z-cat,2026-09-30 09:00:00,\n"
                            for i in range(40_000))  # over the 1 MB kept in memory
        assert post(ann, "check", text=big, name="up/../../escape.csv").status_code == 200
        r = post(ann, "commit", text=CSV, name="..\\..\\escape.csv")
        assert r.status_code == 303
        assert list(spool.iterdir()) == []
    finally:
        tempfile.tempdir = saved
    assert not (tmp_path / "escape.csv").exists()
    assert count(up, "SELECT count(*) FROM import_log WHERE source_file = ?",
                 ["upload/escape.csv"]) == 1


def test_a_mapping_uploaded_with_a_name_is_saved_and_used_again(up: Server,
                                                                ann: httpx.Client) -> None:
    mapping = ("table: interactions\ncolumns:\n  interaction_id: Ticket\n  channel: Via\n"
               "  created_at: Opened\n  vendor: {value: Mapped BPO}\n")
    text = "Ticket,Via,Opened\nmap-1,email,2026-09-29 10:00:00\n"
    csrf = csrf_of(ann.get("/uploads").text)
    r = ann.post("/uploads", data={"csrf_token": csrf, "action": "commit",
                                   "save_as": "mapped"},
                 files=[("file", ("mapped.csv", text.encode(), "text/csv")),
                        ("mapping_file", ("mapped.yaml", mapping.encode(), "text/yaml"))])
    assert r.status_code == 303, r.text[:500]
    assert '<option value="saved:mapped">mapped</option>' in ann.get("/uploads").text
    r = post(ann, "commit", text=text.replace("map-1", "map-2"), name="mapped2.csv",
             mapping="saved:mapped")
    assert r.status_code == 303, r.text[:500]
    assert up.wh.query("SELECT interaction_id, vendor FROM interactions WHERE vendor = "
                       "'Mapped BPO' ORDER BY 1") == [("map-1", "Mapped BPO"),
                                                     ("map-2", "Mapped BPO")]
    assert count(up, "SELECT mapping FROM import_log WHERE source_file = ?",
                 ["upload/mapped2.csv"]) == "saved:mapped"


def test_a_bad_name_for_the_mapping_refuses_before_anything_is_imported(
        up: Server, ann: httpx.Client) -> None:
    csrf = csrf_of(ann.get("/uploads").text)
    r = ann.post("/uploads", data={"csrf_token": csrf, "action": "commit",
                                   "table": "interactions", "save_as": "Not A Name!"},
                 files=[("file", ("named.csv", b"Ticket,Via,Opened\nn-1,email,2026-09-29\n",
                                  "text/csv")),
                        ("mapping_file", ("m.yaml", b"columns:\n  interaction_id: Ticket\n"
                                          b"  channel: Via\n  created_at: Opened\n",
                                          "text/yaml"))])
    assert r.status_code == 400
    assert "&#39;Not A Name!&#39; cannot name a saved mapping" in r.text
    assert count(up, "SELECT count(*) FROM import_log WHERE source_file = ?",
                 ["upload/named.csv"]) == 0


def test_an_upload_over_the_limit_gets_413(up: Server) -> None:
    small = create_app(up.wh, upload_max_body=4096)
    with running(small) as url, closing(login(Server(url, up.wh, small), "ann")) as ann:
        r = post(ann, "check", text=CSV * 20)
        assert r.status_code == 413
        assert r.json()["error"]["code"] == "body_too_large"
        assert post(ann, "check").status_code == 200  # under it


def test_the_hand_off_route_wants_its_token_from_this_machine(up: Server) -> None:
    form = {"table": "interactions", "source": "/x/zephyr.csv"}
    files = {"file": ("upload", CSV.encode())}
    r = httpx.post(up.url + "/api/imports", data=form, files=files)
    assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found")  # not published
    app = create_app(up.wh)
    app.state.handoff = "the-token"
    with running(app, trusted=["127.0.0.1"]) as url:
        r = httpx.post(url + "/api/imports", data=form, files=files,
                       headers={"authorization": "Bearer not-the-token"})
        assert (r.status_code, r.json()["error"]["code"]) == (401, "unauthenticated")
        r = httpx.post(url + "/api/imports", data=form, files=files,
                       headers={"authorization": "Bearer the-token",
                                "x-forwarded-for": "203.0.113.9"})
        assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden")
        r = httpx.post(url + "/api/imports", data=form, files=files,
                       headers={"authorization": "Bearer the-token"})
        assert r.status_code == 200, r.text[:500]
        result = r.json()["result"]
        assert (result["rows_read"], result["rejected"]) == (5, 2)
        assert [p["file"] for p in result["problems"]] == ["/x/zephyr.csv"] * 2


#: The browser test's file: its own ids and vendor, so it does not depend on the tests above.
BROWSER_CSV = CSV.replace("up-", "web-").replace("Zephyr BPO", "Yonder BPO")


def test_an_upload_in_the_browser_shows_its_problems_then_lands(
        browser: Browser, up: Server, tmp_path: Path) -> None:
    file = tmp_path / "yonder.csv"
    file.write_text(BROWSER_CSV, encoding="utf-8")
    context = browser.new_context(viewport=LAPTOP)
    w = Watched(context.new_page(), up)
    page = w.page
    page.goto(up.url + "/uploads")
    page.fill("input[name=username]", "ann")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login button[type=submit]")
    page.wait_for_url("**/uploads")
    assert page.locator("#commit").is_disabled()  # nothing to import before a check
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("ticket,when\n1,2026-09-28\n", encoding="utf-8")
    page.set_input_files("input[name=file]", str(wrong))
    page.select_option("select[name=table]", "interactions")
    page.click("button[value=check]")
    page.wait_for_selector("#refused")
    assert "required column(s) interaction_id, channel, created_at of interactions are " \
        "missing" in page.locator("#refused").inner_text()
    assert page.locator("#commit").is_disabled()  # a refused check enables nothing
    page.set_input_files("input[name=file]", str(file))
    page.select_option("select[name=table]", "interactions")
    page.click("button[value=check]")
    page.wait_for_selector("#checked")
    rows = page.locator("#problems tbody tr")
    assert [rows.nth(i).locator("td").all_text_contents()[:4] for i in range(rows.count())] \
        == [["upload/yonder.csv", "4", "channel", "pigeon"],
            ["upload/yonder.csv", "5", "created_at", "not a date"]]
    assert page.locator("#commit").inner_text() == "Import 3 row(s), quarantine 2"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, size in (("1440", LAPTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        assert overflow(page) <= 1, f"/uploads scrolls sideways at {name} px"
        w.shot(f"uploads-checked-{name}")
    page.set_viewport_size(LAPTOP)
    page.click("#commit")
    page.wait_for_url("**/uploads/*")
    quarantine = page.locator("#quarantine tbody tr")
    assert [quarantine.nth(i).locator("td").all_text_contents()[:3]
            for i in range(quarantine.count())] == [["upload/yonder.csv", "4", "rejected"],
                                                    ["upload/yonder.csv", "5", "rejected"]]
    for name, size in (("1440", LAPTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        assert overflow(page) <= 1, f"the import's page scrolls sideways at {name} px"
        w.shot(f"uploads-import-{name}")
    page.set_viewport_size(LAPTOP)
    page.goto(up.url + "/vendors")  # the new vendor's rows, right after the import
    assert page.get_by_text("Yonder BPO", exact=True).count() >= 1
    w.shot("uploads-vendors-1440")
    w.check()
    context.close()
