"""Who looks at a page, as the presentation layer needs them (kept apart from the page model
so :mod:`cxlens.present.scope` and :mod:`cxlens.present.filters`, which the page model's
context uses, can name it without an import cycle)."""

from __future__ import annotations

from typing import Protocol


class Viewer(Protocol):
    """Who looks at a page (the dashboard's logged-in user satisfies it): the page model needs
    their name, role and — for a vendor viewer — vendor, nothing of the account itself."""

    @property
    def username(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def vendor(self) -> str | None: ...
