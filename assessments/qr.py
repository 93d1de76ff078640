"""QR codes for a round's link (segno); builders return bytes."""

from __future__ import annotations

import io

import segno


def _code(url: str) -> segno.QRCode:
    # Level M survives a crease or a smudge on a printed sheet and stays small enough to scan.
    return segno.make(url, error="m", micro=False)


def qr_png(url: str, *, scale: int = 10) -> bytes:
    buffer = io.BytesIO()
    _code(url).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def qr_svg(url: str, *, scale: int = 10) -> bytes:
    buffer = io.BytesIO()
    _code(url).save(
        buffer, kind="svg", scale=scale, border=4, xmldecl=False, svgns=True, title="QR"
    )
    return buffer.getvalue()
