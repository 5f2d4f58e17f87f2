"""The result notice as an A4 PDF: the same `NoticeModel` the printable page shows.

ReportLab with its built-in CID font STSong-Light (Adobe-GB1), so no font file is shipped or
embedded: every PDF reader has the font or a substitute for it. The QR code is drawn from
segno's module matrix as filled squares (vector, sharp at any print size). The output is
deterministic (`invariant`): the same notice gives the same bytes, so a printed copy's file
can be compared by hash.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

import segno
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from web.pages.notice import Figure, NoticeItem, NoticeModel

FONT = "STSong-Light"
QR_SIZE = 40 * mm
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _style(size: float, **kw: object) -> ParagraphStyle:
    return ParagraphStyle(
        f"s{size}", fontName=FONT, fontSize=size, leading=size * 1.5, wordWrap="CJK", **kw
    )


BODY = _style(10.5)
SMALL = _style(9)
META = _style(10)
TITLE = _style(17, alignment=TA_CENTER, spaceAfter=2)
STAGE = _style(12, alignment=TA_CENTER, spaceAfter=8)
ITEM = _style(12.5, spaceBefore=10, spaceAfter=3)
OUTCOME = _style(12, spaceBefore=4)
SIGN = _style(11, alignment=TA_RIGHT, spaceBefore=14)
GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), FONT, 9.5),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.93, 0.93, 0.93)),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
)


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def qr_drawing(qr: segno.QRCode) -> Drawing:
    """`qr` as one black square per dark module, QR_SIZE wide with its quiet zone (four
    modules, ISO/IEC 18004)."""
    matrix = qr.matrix
    border = 4
    modules = len(matrix) + 2 * border
    unit = QR_SIZE / modules
    drawing = Drawing(QR_SIZE, QR_SIZE)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                top = QR_SIZE - (y + border + 1) * unit  # PDF's y axis points up
                drawing.add(
                    Rect(
                        (x + border) * unit,
                        top,
                        unit,
                        unit,
                        fillColor=colors.black,
                        strokeColor=None,
                        strokeWidth=0,
                    )
                )
    return drawing


def _figures(rows: tuple[Figure, ...]) -> Table:
    data = [["", "面积（平方米）", "面积比例", "人数", "人数比例"]]
    data += [[f.label, f.area, f.area_share, str(f.headcount), f.headcount_share] for f in rows]
    return Table(data, colWidths=[28 * mm, 38 * mm, 26 * mm, 22 * mm, 26 * mm], style=GRID)


def _candidates(item: NoticeItem) -> Table:
    data: list[list[str | Paragraph]] = [
        ["候选人", "赞成面积", "占参与面积", "赞成人数", "占参与人数", "结果"]
    ]
    for c in item.candidates:
        a = c.approvals
        data.append(
            [
                _p(c.label, SMALL),
                a.area,
                a.area_share,
                str(a.headcount),
                a.headcount_share,
                c.verdict,
            ]
        )
    widths = [48 * mm, 30 * mm, 22 * mm, 20 * mm, 22 * mm, 28 * mm]
    return Table(data, colWidths=widths, style=GRID, repeatRows=1)


def _item(item: NoticeItem) -> list[Flowable]:
    parts: list[Flowable] = [
        _p(f"第{item.number}项　{item.title}", ITEM),
        _p(f"事项：{item.matter}", META),
    ]
    if item.amount:
        parts.append(_p(f"金额：{item.amount}", META))
    parts += [_p(f"表决规则：{item.rule}。", META), Spacer(1, 3), _figures(item.figures)]
    if item.candidates:
        parts += [Spacer(1, 4), _candidates(item)]
    color = "#1b5e20" if item.passed else "#b71c1c"
    parts.append(Paragraph(f'<font color="{color}">{escape(item.outcome)}</font>', OUTCOME))
    parts += [_p(f"○ {reason}", SMALL) for reason in item.reasons]  # STSong has no "·"
    return [KeepTogether(parts)]


def notice_pdf(model: NoticeModel) -> bytes:
    """The notice as PDF bytes, A4 portrait."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=model.heading,
        author=model.signer,
        subject=model.ballot,
        creator="gongzhi",
        invariant=True,
    )
    story: list[Flowable] = [
        _p(model.heading, TITLE),
        _p(model.stage, STAGE),
        _p(model.intro, BODY),
    ]
    for item in model.items:
        story += _item(item)
    story.append(Spacer(1, 10))
    story += [_p(line, BODY) for line in model.status]
    verify = Table(
        [[qr_drawing(model.qr()), _p(model.verify_text, SMALL)]],
        colWidths=[QR_SIZE + 4 * mm, None],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]),
    )
    story += [Spacer(1, 8), KeepTogether([verify]), _p(model.privacy, SMALL)]
    story.append(Paragraph(f"{escape(model.signer)}<br/>{escape(model.published)}", SIGN))
    doc.build(story)
    return out.getvalue()
