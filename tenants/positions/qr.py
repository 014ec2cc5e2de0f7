"""QR codes (PNG and SVG) with segno."""
from __future__ import annotations

import io

import segno


def png(payload: str, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def svg(payload: str, scale: int = 8, title: str | None = None) -> str:
    buffer = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(buffer, kind="svg", scale=scale, border=2, title=title, encoding="utf-8")
    return buffer.getvalue().decode("utf-8")
