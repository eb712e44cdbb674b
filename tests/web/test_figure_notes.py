"""A figure that lacks a column shows its flag and the note (what is missing, the fix) on the
dashboard page, not a bare number or a bare "no data"."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from cxlens import store
from cxlens.accounts.users import User
from cxlens.ingest.pipeline import import_files
from cxlens.present.filters import Filters
from cxlens.present.model import PageCtx
from cxlens.present.pages.overview import overview
from cxlens.present.render import env
from cxlens.web import pages


def test_overview_shows_what_a_figure_lacks(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"  # CSAT answers exported without the "resolved in one contact"
    path.write_text("response_id,survey,score,responded_at,scale_min,scale_max\n"
                    + "".join(f"r{i},csat,{1 + i % 5},2024-05-0{1 + i % 9},1,5\n"
                              for i in range(40)))
    user = User("ann", "admin")
    with store.connect(str(tmp_path / "w.duckdb")) as wh:
        import_files(wh, "survey_responses", [path])
        page = overview(PageCtx(wh, user, Filters()))
    fcr = next(f for f in page.figures if f.metric == "fcr")
    assert fcr.flag == "missing_column" and fcr.value is None
    assert fcr.note is not None and fcr.note.startswith("resolved_reported is empty")
    html = env.get_template("page.html").render(
        page=page, filters=Filters(), user=user, bar=pages.BAR, query="", quote=quote,
        api="/api/pages/overview", choices={}, request=None, csrf_field="", csrf="",
        nav_groups=pages.NAV_GROUPS, company_wide=pages.COMPANY_WIDE)
    assert "missing column" in html
    assert "resolved_reported is empty in every survey_responses row" in html
    assert "map the export&#39;s column to resolved_reported" in html
