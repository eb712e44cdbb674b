"""The Operations area's page-model page: the closed loop (``/loop``). Cases are
``web/routes/cases.py``, programmes ``web/routes/programmes.py``, alerts
``web/routes/alerts.py``."""

from __future__ import annotations

from fastapi import APIRouter

from cxlens.web.pages import serve_pages

router = APIRouter()
#: This area's page-model pages, each served at ``/<name>`` (JSON twin: ``/api/pages/<name>``).
PAGES = ("loop",)
serve_pages(router, PAGES)
