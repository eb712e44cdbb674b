"""Issue 18: ``cxlens sync`` while ``cxlens serve`` holds the DuckDB file hands the sync to
the server (cxlens.handoff, ``POST /api/syncs``), which runs it in its own process and
answers with the whole result: the command prints what a direct sync prints, with the same
exit code, and the rows are those of a direct sync into a copy of the warehouse. The
helpdesk token reaches the server in the request's body only; it is in no output, no log
line of the server and no table. Real processes: the server and every command are
subprocesses of the installed command; the helpdesks are the connector tests' local APIs."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from cxlens import store
from cxlens.handoff import handoff_file
from tests.cli.serving import cxlens, serving, stop
from tests.connectors import freshdesk_data as fd
from tests.connectors import zendesk_data as zd
from tests.connectors.fakes import FakeAPI
from tests.connectors.helpers import rows, tables


@dataclass(frozen=True)
class Helpdesk:
    api: Callable[[], FakeAPI]
    token: str
    first_path: str  # what a run asks for first
    options: tuple[str, ...]  # besides --url: how the command gets the account and token
    env: dict[str, str]  # the command's environment (not the server's)


HELPDESKS = {
    # Zendesk's token from the environment variable, Freshdesk's from a token file
    "zendesk": Helpdesk(zd.account, zd.TOKEN,
                        "/api/v2/incremental/tickets/cursor.json", ("--email", zd.EMAIL),
                        {"CXLENS_ZENDESK_TOKEN": zd.TOKEN}),
    "freshdesk": Helpdesk(fd.account, fd.API_KEY, "/api/v2/tickets",
                         ("--token-file", "token"), {}),
}


def same_output(text: str) -> str:
    """A sync's output without its durations (two runs never take the same time)."""
    return re.sub(r"\(\d+\.\d s\)", "(… s)", text)


def everything(db: Path) -> str:
    """Every value of every table of the warehouse, as text."""
    with store.connect(str(db)) as wh:
        return "\n".join(repr(wh.query(f'SELECT * FROM "{t}"')) for t in tables(wh))


def landed(db: Path) -> tuple[list[tuple[object, ...]], ...]:
    """What a sync lands, in a stable order (the import ids aside: each run draws its own)."""
    with store.connect(str(db)) as wh:
        return (wh.query("SELECT * FROM interactions ORDER BY interaction_id"),
                wh.query("SELECT * FROM survey_responses ORDER BY response_id"),
                wh.query("SELECT table_name, source_file, source_row, status, rules, reason, "
                         "record FROM quarantine ORDER BY ALL"))


@pytest.mark.parametrize("source", ["zendesk", "freshdesk"])
def test_a_sync_while_serving_runs_in_the_server_and_reads_as_a_direct_one(
        tmp_path: Path, source: str) -> None:
    """Three runs, each handed to the server and run directly on the copy: the first lands
    the account, the second finds nothing new, the third meets a 429 with a day's
    Retry-After and gives up at once (recorded, logged by the server, the error in the
    house shape)."""
    desk = HELPDESKS[source]
    (tmp_path / "token").write_text(desk.token + "\n", encoding="utf-8")
    outputs = []
    remote_api, local_api = desk.api(), desk.api()
    with serving(tmp_path) as served, remote_api.running() as remote_url, \
            local_api.running() as local_url:
        for run in range(3):
            if run == 2:
                for api in (remote_api, local_api):
                    api.fault(desk.first_path, ("429", "86400"))
            remote = cxlens(tmp_path, "sync", source, "--url", remote_url, *desk.options,
                            "--db", str(served.db), env=desk.env)
            local = cxlens(tmp_path, "sync", source, "--url", local_url, *desk.options,
                           "--db", str(served.copy), env=desk.env)
            assert (remote.returncode, local.returncode) == ((0, 0) if run < 2 else (2, 2)), \
                remote.stderr
            assert same_output(remote.stdout) == same_output(local.stdout)
            notice, _, error = remote.stderr.partition("\n")
            assert notice.startswith(f"the warehouse is held by cxlens serve (process "
                                     f"{served.process.pid}): the sync runs there")
            assert error.replace(remote_url, "URL") == local.stderr.replace(local_url, "URL")
            outputs += [remote.stdout, remote.stderr]
        assert "3 inserted" in outputs[0]
        assert "0 new or changed record(s)" in outputs[2]
        assert "rate limited for 86400 s" in outputs[5]
        log = stop(served)
    assert f"handed-off sync {source} failed: " in log  # the server's log has the failure …
    assert desk.token not in log  # … without the token
    assert desk.token not in "\n".join(outputs)
    assert desk.token not in everything(served.db)
    assert desk.token.encode() not in served.db.read_bytes()
    with store.connect(str(served.db)) as wh:  # hand-counted: 3 tickets land, 1 quarantined
        assert rows(wh, "SELECT count(*), count(DISTINCT interaction_id) FROM interactions") \
            == [(3, 3)]
        assert rows(wh, "SELECT count(*), count(DISTINCT response_id) FROM survey_responses") \
            == [(2, 2)]
        assert rows(wh, "SELECT count(*) FROM quarantine WHERE status = 'rejected'") == [(1,)]
        assert rows(wh, "SELECT status FROM sync_runs ORDER BY started_at") == [
            ("ok",), ("ok",), ("failed",)]
        assert rows(wh, "SELECT username FROM cxlens_audit WHERE action = 'sync'") \
            == [(None,), (None,)]  # the two runs that landed
    assert landed(served.db) == landed(served.copy)


def test_a_wrong_hand_off_token_is_refused(tmp_path: Path) -> None:
    api = zd.account()
    with serving(tmp_path) as served, api.running() as url:
        file = handoff_file(served.db)
        doc = json.loads(file.read_text(encoding="utf-8"))
        file.write_text(json.dumps({**doc, "token": "not-the-token"}), encoding="utf-8")
        done = cxlens(tmp_path, "sync", "zendesk", "--url", url, "--email", zd.EMAIL,
                      "--db", str(served.db), env={"CXLENS_ZENDESK_TOKEN": zd.TOKEN})
        assert done.returncode == 2
        assert "error: the hand-off token is missing or wrong" in done.stderr
        assert "fix: run cxlens sync with the same --db as the running server" in done.stderr
        assert api.log == []  # the server never called the helpdesk
        stop(served)
    with store.connect(str(served.db)) as wh:
        assert rows(wh, "SELECT count(*) FROM interactions") == [(0,)]

