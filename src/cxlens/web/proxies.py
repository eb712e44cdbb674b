"""Who the client is, behind a reverse proxy or not.

``X-Forwarded-For`` is written by whoever sends the request, so it is believed only from the
proxies named with ``cxlens serve --trusted-proxy`` (none by default: the header is ignored
and the connecting address is the client). From a trusted proxy the client is the rightmost
address of the header that is not itself a trusted proxy — addresses further left were
written by the client and may be anything.

The work is done by uvicorn's own ``ProxyHeadersMiddleware`` (``forwarded_allow_ips``), which
does exactly that; :func:`server_config` is the one place that configures it, because
uvicorn's default trusts ``127.0.0.1`` — so anyone able to reach the server from the same
host (a sidecar, another tenant, a local script) could pick their address per request and
slip past the per-address rate limit and login throttle (issue 16). Everything that needs the
client's address (the collection API's rate limiter, the login throttle, the audit log) asks
:func:`client_address`."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Literal

import uvicorn
from fastapi import Request

from cxlens.errors import ConfigError
from cxlens.web import stack


def trusted_proxies(values: Sequence[str]) -> tuple[str, ...]:
    """The ``--trusted-proxy`` values, each an IP address or a network (CIDR); every bad one
    is reported at once (uvicorn would silently compare such text literally)."""
    bad = []
    for value in values:
        try:
            if "/" in value:
                ipaddress.ip_network(value.strip(), strict=False)
            else:
                ipaddress.ip_address(value.strip())
        except ValueError:
            bad.append(repr(value))
    if bad:
        raise ConfigError(f"--trusted-proxy {', '.join(bad)}: not an IP address or network",
                          "give the proxy's address (10.0.0.5, ::1) or network "
                          "(10.0.0.0/8), once per --trusted-proxy")
    return tuple(v.strip() for v in values)


def server_config(app: object, *, host: str, port: int, trusted: Sequence[str] = (),
                  log_level: str = "warning",
                  lifespan: Literal["auto", "on", "off"] = "auto", workers: int = 1,
                  factory: bool = False) -> uvicorn.Config:
    """The uvicorn configuration ``cxlens serve`` runs ``app`` with: X-Forwarded-For is read
    only from ``trusted`` proxies, never by default; the event loop and HTTP parser are
    :mod:`cxlens.web.stack`'s. With ``workers`` > 1, ``app`` is the import string of an ASGI
    factory (``factory``) each worker process calls."""
    proxies = trusted_proxies(trusted)
    return uvicorn.Config(app, host=host, port=port, log_level=log_level,  # type: ignore[arg-type]
                          lifespan=lifespan, proxy_headers=bool(proxies),
                          forwarded_allow_ips=list(proxies) or None,
                          workers=workers if workers > 1 else None, factory=factory,
                          loop=stack.loop(), http=stack.http())


def client_address(request: Request) -> str:
    """The client's address (already resolved from a trusted proxy's X-Forwarded-For by
    :func:`server_config`'s middleware); ``unknown`` when the server cannot tell."""
    return request.client.host if request.client else "unknown"
