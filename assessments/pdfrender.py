"""HTML → PDF with WeasyPrint in a locked-down, bounded child process (no Django imports).

This module is the parent's side and imports no WeasyPrint (0.6 s, paid only by the
forkserver); the child's side is :mod:`assessments.pdfchild`. Both are kept free of Django so
that the forkserver can preload them (and WeasyPrint) once; every render
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

import multiprocessing
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Relative URLs in the document and in our CSS resolve against this origin, which never
# touches the network: the fetcher maps it onto the allow-listed files only.
BASE_URL = "https://report.invalid/"


class RenderError(Exception):
    """The PDF could not be made (timeout, memory cap, crash or WeasyPrint error)."""


@dataclass(frozen=True)
class RenderResult:
    pdf: bytes
    seconds: float  # wall time inside the renderer
    cpu_seconds: float
    peak_rss_mb: float  # of the process that rendered
    refused_urls: tuple[str, ...]


_context = None


def _run_child(*args: Any) -> None:
    # The target is pickled by name, so it lives here: the web process never imports
    # WeasyPrint, while the child finds pdfchild already imported by the forkserver.
    from .pdfchild import _child

    _child(*args)


def _forkserver():
    global _context
    if _context is None:
        if "forkserver" in multiprocessing.get_all_start_methods():
            _context = multiprocessing.get_context("forkserver")
            _context.set_forkserver_preload([__name__, "assessments.pdfchild"])
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
        from .pdfchild import render_in_process

        return render_in_process(html, files)
    ctx = _forkserver()
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(
        target=_run_child,
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


def __getattr__(name: str) -> Any:
    # LockedFetcher and render_in_process live beside WeasyPrint in pdfchild.
    if name in {"LockedFetcher", "render_in_process"}:
        from . import pdfchild

        return getattr(pdfchild, name)
    raise AttributeError(name)
