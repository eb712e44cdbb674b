"""``POST /api/syncs``: ``cxlens sync`` run in another terminal while this server holds the
DuckDB file hands its sync here (cxlens.handoff: the local token, loopback clients only), and
the sync runs in this process — the same function the scheduled sync runs
(:func:`cxlens.connectors.schedule.run_logged`), on a connection of its own, so the dashboard
keeps answering while the helpdesk's pages arrive. Each page lands through the import
pipeline, which bumps the data version, so cached pages refresh as after a direct sync.

The helpdesk token comes in the request body, read by the command from its environment
variable or token file exactly as a direct sync reads it: never in the URL (the access log
shows only the path), never logged, kept in memory as a
:class:`~cxlens.connectors.secret.Secret` for this one run and never written anywhere
(docs/security.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from cxlens.accounts import audit
from cxlens.errors import ConfigError
from cxlens.web.handoff_guard import check_handoff, form_text
from cxlens.web.security import state
from cxlens.web.state import WebState

router = APIRouter()


@router.post("/api/syncs", tags=["imports"])
async def handed_off_sync(request: Request) -> dict[str, Any]:
    """A sync handed over by ``cxlens sync`` while this server holds the DuckDB file. Form:
    ``source`` (zendesk, freshdesk), ``url``, ``email``, ``since`` (ISO date-time),
    ``tickets_mapping`` (a preset or a YAML path on this machine) and ``token`` (the
    helpdesk's). Answers ``{"result": ...}`` (cxlens.connectors.wire) or the app's JSON
    error, the sync's own error included."""
    check_handoff(request, "cxlens sync")
    async with request.form(max_files=0, max_fields=20) as form:
        return {"result": await run_in_threadpool(_sync, state(request), form)}


def _sync(st: WebState, form: FormData) -> dict[str, Any]:
    from cxlens.connectors.accounts import Account
    from cxlens.connectors.schedule import run_logged
    from cxlens.connectors.secret import Secret
    from cxlens.connectors.wire import sync_json
    from cxlens.extras import require

    require("connectors")
    token = form_text(form, "token")
    if not token:
        raise ConfigError("a handed-off sync without the helpdesk's token",
                          "run cxlens sync with the token in its environment variable or "
                          "--token-file (cxlens.handoff)")
    account = Account(form_text(form, "source"), form_text(form, "url"), None,
                      form_text(form, "email") or None, _since(form_text(form, "since")),
                      form_text(form, "tickets_mapping") or None, secret=Secret(token))
    own = st.wh.sibling()  # not the dashboard's connection: its pages keep being served
    try:
        result = run_logged(own, account, "handed-off sync")
    finally:
        own.close()
    with st.lock:
        audit.record(st.wh, None, "sync",
                     f"{account.source} {account.url} {result.run_id} (cxlens sync, handed "
                     f"off): {result.pages} page(s), {result.read} new or changed, "
                     f"{result.loaded} loaded, {result.rejected} quarantined")
    return sync_json(result)


def _since(text: str) -> dt.datetime:
    from cxlens.connectors.accounts import DEFAULT_SINCE

    try:
        return dt.datetime.fromisoformat(text) if text else DEFAULT_SINCE
    except ValueError:
        raise ConfigError(f"since {text!r} is not an ISO date-time",
                          "send it as cxlens sync does (cxlens.handoff)") from None
