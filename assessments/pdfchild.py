"""The WeasyPrint side of :mod:`assessments.pdfrender`: runs in the render child only.

The forkserver preloads this module (and so WeasyPrint, ~0.6 s of imports) once; web workers
and management commands import only :mod:`pdfrender`, which never imports WeasyPrint.
No Django imports here either, for the same reason.
"""

from __future__ import annotations

import base64
import binascii
import re
import resource
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .pdfrender import BASE_URL, RenderResult

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
