"""HTML → PDF with WeasyPrint in a locked-down, bounded child process (no Django imports).

Kept free of Django so that the forkserver can preload it (and WeasyPrint) once; every render
is then a cheap fork of that small, single-threaded process instead of a fork of a threaded
gunicorn worker (whose held locks could deadlock the child) or a fresh interpreter.

Two independent guards make a hostile or huge document harmless to the server:

* :class:`LockedFetcher` answers every URL WeasyPrint asks for. It knows exactly the files it
  was given (our fonts and CSS under a fake origin) and small ``data:`` images; everything
  else — ``http(s)``, ``file:``, other paths, other schemes — fails without any I/O, so the
  server never opens a connection or reads a file on behalf of a document.
* :func:`render_pdf` runs WeasyPrint in a child with ``RLIMIT_AS`` (address space grows by at
  most ``memory_mb``) and ``RLIMIT_CPU``, and the parent kills it after ``timeout`` seconds.
"""

from __future__ import annotations

import base64
import binascii
import multiprocessing
import os
import re
import resource
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative URLs in the document and in our CSS resolve against this origin, which never
# touches the network: the fetcher maps it onto the allow-listed files only.
BASE_URL = "https://report.invalid/"
DATA_IMAGE_TYPES = {"image/png", "image/jpeg"}
DATA_MAX_BYTES = 1_500_000
_DATA_RE = re.compile(r"^data:(?P<type>[a-z/+.-]+)(?P<b64>;base64)?,(?P<data>.*)$", re.S | re.I)
_MIME_BY_SUFFIX = {
    ".css": "text/css",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}


class RenderError(Exception):
    """The PDF could not be made (timeout, memory cap, crash or WeasyPrint error)."""


class LockedFetcher(URLFetcher):
    """Serves only the given files (URL → path) and small data: images; refuses the rest."""

    def __init__(self, files: Mapping[str, str]):
        super().__init__(allowed_protocols=(), allow_redirects=False, timeout=1)
        self.files = dict(files)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return self._data(url)
        path = self.files.get(url.split("#", 1)[0])
        if path is None:
            self.refused.append(url[:200])
            raise ValueError("URL not allowed in reports")
        mime = _MIME_BY_SUFFIX.get(Path(path).suffix, "application/octet-stream")
        return URLFetcherResponse(url, Path(path).read_bytes(), {"Content-Type": mime})

    def open(self, url: Any, data: Any = None, timeout: Any = None) -> URLFetcherResponse:
        return self.fetch(url if isinstance(url, str) else url.full_url)

    def _data(self, url: str) -> URLFetcherResponse:
        match = _DATA_RE.match(url[: DATA_MAX_BYTES * 2])
        if not match or match["type"].lower() not in DATA_IMAGE_TYPES or not match["b64"]:
            self.refused.append(url[:40])
            raise ValueError("only base64 PNG/JPEG data URIs are allowed")
        try:
            body = base64.b64decode(unquote(match["data"]), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("bad data URI") from None
        if len(body) > DATA_MAX_BYTES:
            raise ValueError("data URI too large")
        return URLFetcherResponse("data:", body, {"Content-Type": match["type"].lower()})


@dataclass(frozen=True)
class RenderResult:
    pdf: bytes
    seconds: float  # wall time inside the renderer
    cpu_seconds: float
    peak_rss_mb: float  # of the process that rendered
    refused_urls: tuple[str, ...]


def render_in_process(html: str, files: Mapping[str, str]) -> RenderResult:
    started, cpu = time.perf_counter(), time.process_time()
    fetcher = LockedFetcher(files)
    pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()
    return RenderResult(
        pdf=pdf,
        seconds=time.perf_counter() - started,
        cpu_seconds=time.process_time() - cpu,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        refused_urls=tuple(fetcher.refused),
    )


def _vm_size_bytes() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _child(conn, html: str, files: dict[str, str], memory_mb: int, cpu_seconds: int) -> None:
    try:
        # The address-space cap is relative to what the (preloaded) process already maps, so
        # it bounds what this document can add rather than guessing the interpreter's size.
        limit = _vm_size_bytes() + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
        result = render_in_process(html, files)
        conn.send(("ok", result))
    except MemoryError:
        conn.send(("error", "memory limit reached"))
    except BaseException as exc:  # reported to the parent, which raises RenderError
        conn.send(("error", f"{type(exc).__name__}: {exc}"[:500]))
    finally:
        conn.close()


_context = None


def _forkserver():
    global _context
    if _context is None:
        if "forkserver" in multiprocessing.get_all_start_methods():
            _context = multiprocessing.get_context("forkserver")
            _context.set_forkserver_preload([__name__])
        else:  # pragma: no cover - platforms without fork (not our servers)
            _context = multiprocessing.get_context("spawn")
    return _context


def render_pdf(
    html: str,
    files: Mapping[str, str],
    *,
    timeout: float = 30,
    memory_mb: int = 400,
    isolated: bool = True,
) -> RenderResult:
    """Render ``html`` to PDF bytes; ``files`` maps allowed URLs under BASE_URL to paths."""
    if not isolated:
        return render_in_process(html, files)
    ctx = _forkserver()
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(
        target=_child,
        args=(child, html, dict(files), memory_mb, int(timeout) + 5),
        daemon=True,
    )
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise RenderError(f"rendering took longer than {timeout:g} s")
        status, payload = parent.recv()
    except EOFError:
        raise RenderError("the renderer stopped unexpectedly") from None
    finally:
        parent.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)
    if status != "ok":
        raise RenderError(payload)
    return payload


def warm_up() -> None:
    """Start the forkserver (imports WeasyPrint once) so the first report is not slower."""
    ctx = _forkserver()
    proc = ctx.Process(target=os.getpid)
    proc.start()
    proc.join(30)
