"""``/programmes``: the survey programmes' configuration as stored (the YAML an admin edits)."""

from __future__ import annotations

from cxlens.present.model import Page, PageCtx
from cxlens.surveys import config as survey_config


def programmes(ctx: PageCtx) -> Page:
    """``extra``: ``text`` (the stored YAML; empty when none is stored)."""
    page = Page("programmes", "Survey programmes")
    page.extra["text"] = survey_config.text(ctx.wh) or ""
    return page
