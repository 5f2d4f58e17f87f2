"""The QR code that carries the pinned trust file, made in one place.

Alone (``gongzhi office trust --qr``, and on a committee member's page for the file this
server publishes, `web.pages.member`, so the two can be held side by side) it holds the very
bytes of the trust file; on a result
notice it is a `trust_link` to the ballot's verification page with those bytes in its
fragment, so one scan both opens the page and hands over what to pin. Error correction M
(15 %) survives a creased or smudged printout; never a Micro QR, which phones often do not
read.
"""

from __future__ import annotations

import io

import segno

from identity.community.trustfile import PinnedTrust, trust_bytes, trust_link


def trust_qr(trust: PinnedTrust, *, verify_url: str | None = None) -> segno.QRCode:
    """The trust file as a QR code, or, given `verify_url`, the link to that page carrying it."""
    payload = trust_bytes(trust).decode() if verify_url is None else trust_link(verify_url, trust)
    return segno.make(payload, error="m", micro=False)


def trust_qr_svg(trust: PinnedTrust) -> bytes:
    """`trust_qr` of the trust file alone, as the SVG `gongzhi office trust --qr` writes."""
    svg = io.BytesIO()
    trust_qr(trust).save(svg, kind="svg", scale=4)
    return svg.getvalue()
