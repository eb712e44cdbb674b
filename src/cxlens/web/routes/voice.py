"""The Voice of the customer area: verbatims, the surveys page, themes, sentiment and
customers (page-model pages; the hosted survey pages are ``web/routes/collect.py``)."""

from __future__ import annotations

from fastapi import APIRouter

from cxlens.web.pages import serve_pages

router = APIRouter()
#: This area's page-model pages, each served at ``/<name>`` (JSON twin: ``/api/pages/<name>``).
PAGES = ("verbatims", "surveys", "themes", "sentiment", "customers")
serve_pages(router, PAGES)
