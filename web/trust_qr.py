"""The trust file as a QR code: what `gongzhi office trust --qr` prints on notices, and what
a committee member's page shows of the file this server publishes (`web.member_pages`), so
the two can be held side by side. The code holds the very bytes of the trust file."""

from __future__ import annotations

import io

import segno


def trust_qr_svg(document: bytes) -> bytes:
    """A standalone SVG (with its xmlns, so an <img> shows it) of the trust file's bytes."""
    svg = io.BytesIO()
    segno.make(document.decode(), error="m").save(svg, kind="svg", scale=4, xmldecl=False)
    return svg.getvalue()
