"""The survey collector as the app holds it: the reader, the writer thread, the rate limiter
and the active programme configuration. Infrastructure shared by the public survey pages
(``web/routes/collect.py``), the cases and programmes routes and the programme runner, so it
lives beside the app rather than in one route module."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from cxlens.store.base import Warehouse
from cxlens.surveys import collect
from cxlens.surveys.spec import Config
from cxlens.web.ratelimit import Limiter


@dataclass
class SurveyService:
    """Readers, the writer thread, the rate limiter and the active configuration."""

    reader: Warehouse
    writer: collect.Writer
    secret: str
    limiter: Limiter = field(default_factory=Limiter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def config(self) -> Config:
        return self.writer.config

    def set_config(self, config: Config) -> None:
        self.writer.config = config

    def invitation(self, invitation_id: str) -> dict[str, Any] | None:
        with self.lock:
            return collect.invitation(self.reader, invitation_id)

    async def submit(self, item: collect.Score | collect.Followup) -> collect.Receipt:
        return await asyncio.wrap_future(self.writer.submit(item))


def service(request: Request) -> SurveyService:
    svc: SurveyService = request.app.state.surveys
    return svc
