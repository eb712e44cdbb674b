"""Webhook messages cannot be turned against their reader (issue 16): user text (a comment, a
vendor, an agent or owner name, a customer id, an alert's segment) reaches Slack as literal
text — ``<!channel>``, ``<!here>``, ``<@U123>`` and masked links ``<https://…|click here>``
do not notify or link — while the message's own formatting (the quoted comment) still works;
the JSON format carries the text unchanged. Checked on the exact bytes a real local HTTP
receiver gets from the outbox."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest

from cxlens import webhooks
from cxlens.store.base import Warehouse
from cxlens.surveys.spec import Webhook
from tests.loop.test_cases import Receiver

NOW = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
CASE = {"case_id": "case_1", "survey": "csat", "score": 1,
        "comment": "<!channel> refund me & <https://evil.example|click here>\n<!here> now",
        "customer_id": "c<@U123>", "owner": "<@U123> / Team lead",
        "due_at": "2026-03-04T09:00:00+00:00"}
ALERT = {"rule": "fcr-low", "message": "vendor=<!here> BPO: FCR 60.0 % in 2026-02 < 70 %"}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.http.shutdown()


def _delivered(wh: Warehouse, receiver: Receiver, fmt: str, event: str,
               data: dict[str, object]) -> bytes:
    webhooks.ensure(wh)
    hook = Webhook(url=receiver.url, format=fmt)  # type: ignore[arg-type]
    assert webhooks.emit(wh, [hook], event, data, NOW) == 1
    assert webhooks.deliver(wh, NOW) == (1, 0)
    ((_, body),) = receiver.got
    return body


def test_slack_case_message_escapes_user_text(duck: Warehouse, receiver: Receiver) -> None:
    text = ("New follow-up case case_1: CSAT 1 \\u2014 owner &lt;@U123&gt; / Team lead, due "
            "2026-03-04T09:00:00+00:00\\n"
            "> &lt;!channel&gt; refund me &amp; &lt;https://evil.example|click here&gt;\\n"
            "> &lt;!here&gt; now")
    assert _delivered(duck, receiver, "slack", "case.created", CASE) == (
        f'{{"text": "{text}", "blocks": [{{"type": "section", "text": {{"type": "mrkdwn", '
        f'"text": "{text}"}}}}]}}').encode()


def test_slack_alert_and_answer_messages_escape_user_text(duck: Warehouse,
                                                          receiver: Receiver) -> None:
    alert = json.loads(_delivered(duck, receiver, "slack", "alert.opened", ALERT))
    assert alert["text"] == ("Alert (fcr-low): vendor=&lt;!here&gt; BPO: FCR 60.0 % in 2026-02 "
                             "&lt; 70 %")
    receiver.got.clear()
    answer = json.loads(_delivered(duck, receiver, "slack", "response.created",
                                   {"survey": "nps", "score": 0,
                                    "customer_id": "<https://evil.example|you won>"}))
    assert answer["text"] == "New NPS answer: 0 from &lt;https://evil.example|you won&gt;"
    assert answer["blocks"][0]["text"]["text"] == answer["text"]


def test_json_webhook_carries_user_text_unchanged(duck: Warehouse, receiver: Receiver) -> None:
    tricky = {**CASE, "comment": 'a "quote", a \\ and }, "event": "forged"'}
    body = json.loads(_delivered(duck, receiver, "json", "case.created", tricky))
    assert body["event"] == "case.created"
    assert body["data"] == tricky
