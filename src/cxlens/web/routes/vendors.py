"""The Vendors area's page-model page: the vendor scorecard grid (``/vendors``). Contracts,
statements and comparisons are ``web/routes/contracts.py``; QA is ``web/routes/qa.py``."""

from __future__ import annotations

from fastapi import APIRouter

from cxlens.web.pages import serve_pages

router = APIRouter()
#: This area's page-model pages, each served at ``/<name>`` (JSON twin: ``/api/pages/<name>``).
PAGES = ("vendors",)
serve_pages(router, PAGES)
