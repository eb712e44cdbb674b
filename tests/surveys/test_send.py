"""An invitation whose address carries a line break (imported data) bounces alone, with its
reason; it no longer stops the run, and nobody is added to the envelope (issue 16)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cxlens import store
from cxlens.surveys import config
from cxlens.surveys.run import run
from tests.surveys.world import START, build, config_text, smtp_server


def test_an_address_with_a_line_break_bounces_alone(tmp_path: Path) -> None:
    with store.connect(str(tmp_path / "s.duckdb")) as wh:
        build(wh)
        wh.execute("UPDATE customers SET email = ? WHERE customer_id = 'C01'",
                   ["c01@example.com\r\nBcc: evil@example.com"])
        with smtp_server() as box:
            config.save(wh, config_text(box.port))
            summary = run(wh, START + dt.timedelta(days=2))
        bounced = wh.query("SELECT customer_id, reason FROM survey_invitations "
                           "WHERE status = 'bounced'")
        sent = wh.scalar("SELECT count(*) FROM survey_invitations WHERE status = 'sent'")
    assert [c for c, _ in bounced] == ["C01"] and summary.bounced == 1
    assert str(bounced[0][1]).startswith("invalid To address 'c01@example.com")
    assert sent > 0 and len(box.raw) == sent
    assert all(r != ["evil@example.com"] and "evil@example.com" not in r for r, _ in box.raw)
