"""The hand-off between ``cxlens serve`` and a command that finds the DuckDB file held by it.

DuckDB lets one process write a file, so while the dashboard serves ``cxlens import`` cannot
open the warehouse. Instead the server, when it starts on a DuckDB file, writes a small file
beside it (``WAREHOUSE.duckdb.serving``: its local URL, a random token and its process id; mode
0600, so only the user who runs the server can read it; removed when the server stops; never in
the warehouse). A command that meets the held lock reads it and sends its work to the server,
which runs it in the process that holds the file (``POST /api/imports``, ``POST /api/syncs``,
authenticated by the token, from the loopback address only). ``cxlens import`` and ``cxlens
sync`` use it: :func:`for_held` after a refused open, then :func:`call`."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cxlens.errors import ConfigError, CxlensError

SUFFIX = ".serving"
#: Addresses the server may listen on for a hand-off: the loopback ones, and every interface
#: (then reached on the loopback address). The hand-off route accepts loopback clients only.
LOOPBACK = {"127.0.0.1": "127.0.0.1", "localhost": "127.0.0.1", "::1": "[::1]",
            "0.0.0.0": "127.0.0.1", "::": "[::1]"}
CHUNK = 1 << 20


@dataclass(frozen=True)
class Handoff:
    """A running server's hand-off: where it listens and the token it accepts."""

    url: str
    token: str
    pid: int


def handoff_file(db_path: str | Path) -> Path:
    """The hand-off file of DuckDB file ``db_path``: beside it, ``NAME.serving``."""
    path = Path(db_path).expanduser().resolve()
    return path.with_name(path.name + SUFFIX)


@contextmanager
def published(db_path: str | None, host: str, port: int) -> Iterator[str | None]:
    """Write the hand-off file of the DuckDB file ``db_path`` for a server on ``host:port``
    and yield its token; remove the file on exit (if it is still this server's). Yields None
    (no hand-off) for a warehouse that is no DuckDB file or a host no local client reaches as
    loopback."""
    if not db_path or db_path == ":memory:" or host not in LOOPBACK:
        yield None
        return
    token = secrets.token_urlsafe(32)
    file = handoff_file(db_path)
    text = json.dumps({"url": f"http://{LOOPBACK[host]}:{port}", "token": token,
                       "pid": os.getpid()})
    part = file.with_name(f"{file.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(part, file)  # a stale file of a killed server is replaced whole
    try:
        yield token
    finally:
        with suppress(OSError):
            if file.read_text(encoding="utf-8") == text:  # not a newer server's
                file.unlink()


def read(db_path: str | Path) -> Handoff | None:
    """The hand-off file of ``db_path``, or None when there is none, it is unreadable, or its
    server is gone (a server killed with SIGKILL leaves its file behind)."""
    try:
        doc = json.loads(handoff_file(db_path).read_text(encoding="utf-8"))
        found = Handoff(str(doc["url"]), str(doc["token"]), int(doc["pid"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return found if _running(found.pid) else None


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, as another user's
        return True
    return pid > 0


def held(exc: BaseException) -> bool:
    """Whether ``exc`` (raised when opening a DuckDB warehouse) says another process holds
    the file's lock."""
    import duckdb

    cause = exc.__cause__
    return isinstance(cause, duckdb.IOException) and "lock" in str(cause).lower()


def for_held(db_path: str | None, exc: BaseException) -> Handoff | None:
    """The running server to hand work to, when opening ``db_path`` failed with ``exc``
    because a server holds it and has published its hand-off; else None (raise ``exc``)."""
    if not db_path or not held(exc):
        return None
    return read(db_path)


def call(handoff: Handoff, path: str, fields: Sequence[tuple[str, str]],
         files: Sequence[Path] = (), timeout: float = 3600) -> dict[str, Any]:
    """POST ``fields`` ((name, value) pairs, a name may repeat) and ``files`` (each a part
    named ``file``, streamed; a path that is no file goes as an empty part) as a multipart
    form to ``path`` on the server. Returns its JSON answer; its error is raised as the
    :class:`~cxlens.errors.CxlensError` the server raised."""
    boundary = "cxlens-" + secrets.token_hex(16)
    heads = b"".join(_part_head(boundary, name) + value.encode("utf-8") + b"\r\n"
                     for name, value in fields)
    part = _part_head(boundary, "file", "upload")
    sizes = [f.stat().st_size if f.is_file() else 0 for f in files]
    tail = f"--{boundary}--\r\n".encode()
    length = len(heads) + len(tail) + sum(len(part) + size + 2 for size in sizes)

    def body() -> Iterator[bytes]:
        yield heads
        for file, size in zip(files, sizes, strict=True):
            yield part
            if size:
                with file.open("rb") as f:
                    while chunk := f.read(CHUNK):
                        yield chunk
            yield b"\r\n"
        yield tail

    conn = http.client.HTTPConnection(handoff.url.removeprefix("http://"), timeout=timeout)
    try:
        conn.request("POST", path, body=body(), headers={
            "Authorization": f"Bearer {handoff.token}", "Accept": "application/json",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(length)})
        answer = conn.getresponse()
        status, raw = answer.status, answer.read()
    except OSError as exc:
        raise ConfigError(
            f"the warehouse is held by a cxlens server (process {handoff.pid}) that did not "
            f"answer at {handoff.url}: {exc}",
            "wait for it to start, or stop it and run the command again") from exc
    finally:
        conn.close()
    try:
        doc: dict[str, Any] = json.loads(raw)
    except ValueError:
        doc = {}
    if status >= 400 or "error" in doc:
        raise remote_error(status, doc)
    return doc


def _part_head(boundary: str, name: str, filename: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"'
    if filename is not None:
        disposition += f'; filename="{filename}"'
    kind = "\r\nContent-Type: application/octet-stream" if filename is not None else ""
    return f"--{boundary}\r\nContent-Disposition: {disposition}{kind}\r\n\r\n".encode()


def remote_error(status: int, doc: dict[str, Any]) -> CxlensError:
    """The error in the app's one JSON shape as the error class the server raised (same
    message, same hint, so the command prints and exits as if it had run locally)."""
    error = doc.get("error") if isinstance(doc.get("error"), dict) else None
    if error is None:
        return ConfigError(f"the cxlens server answered HTTP {status} without an error",
                           "see the server's log")
    code = str(error.get("code", ""))
    message, hint = str(error.get("message", "")), str(error.get("hint", ""))
    for cls in _subclasses(CxlensError):
        if cls.code == code:
            with suppress(TypeError):  # a class that takes more than (message, hint)
                return cls(message, hint)
    found = CxlensError(message, hint)
    found.code = code or found.code
    return found


def _subclasses(cls: type[CxlensError]) -> Iterator[type[CxlensError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)
