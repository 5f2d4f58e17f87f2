"""web.pages.notice_pdf: the result notice as an A4 PDF, read back with pypdf — the key facts are
in it, and not one name, ID number or phone number of the register is, there or on the page."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from pypdf import PdfReader
from reportlab.graphics.shapes import Rect

from tests.notice_support import TRUST, VERIFY_URL, Register, entries
from web.pages.assets import TEMPLATES_DIR
from web.pages.notice import NoticeModel, notice_model
from web.pages.notice_pdf import notice_pdf, qr_drawing
from web.pages.public import page_words

A4_POINTS = (595.28, 841.89)
TEMPLATES = Jinja2Templates(directory=str(TEMPLATES_DIR))


@pytest.fixture(scope="module")
def decided() -> tuple[NoticeModel, NoticeModel, Register]:
    announced, result, final, register = entries()
    kw: dict[str, Any] = {
        "verify_url": VERIFY_URL,
        "trust": TRUST,
        "community_name": "仙霞示范小区（演示）",
    }
    return (
        notice_model(announced, result, None, **kw),
        notice_model(announced, result, final, **kw),
        register,
    )


def text_of(pdf: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def flat(text: str) -> str:
    """The text without line breaks and spaces (a PDF breaks lines wherever they fill)."""
    return "".join(text.split())


def html_of(model: NoticeModel) -> str:
    template = TEMPLATES.get_template("notice.html")
    return template.render(
        **page_words("zh"), n=model, n_id=7, qr=Markup("<svg></svg>"), pdf="/ballots/7/notice.pdf"
    )


def test_the_pdf_states_the_key_facts_on_a4(
    decided: tuple[NoticeModel, NoticeModel, Register],
) -> None:
    preliminary, final, _ = decided
    text, reader = text_of(notice_pdf(preliminary))
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width, 2), round(height, 2)) == A4_POINTS
    assert reader.metadata is not None and reader.metadata.title == preliminary.heading
    said = flat(text)
    for fact in (
        "仙霞示范小区（演示）业主共同决定事项表决结果公告",
        "初步结果（异议期内）",
        "第1项使用维修资金更换3号楼电梯",
        "¥1,234,567.89",
        "需参与表决的业主专有部分面积和人数均达到全体业主的三分之二以上，且参与表决者中面积和人数均过半数同意",
        "且参与表决者中面积和人数均四分之三以上同意",
        "20,580.84",
        "16,325.61",
        "79.32%",
        "82.90%",
        "本项表决通过。",
        "本项表决未通过。",
        "当选：候选人乙（2-2-502）、候选人甲（1-1-101）（共2席，当选2名）。",
        "候选人丙（5-1-302）",
        "可于2026年4月22日18:05（北京时间）前在系统中提出异议",
        "https://gongzhi.test/ballots/7",
        "链ID31337",
        "仙霞示范小区（演示）业主委员会",
        "2026年4月15日",
    ):
        assert flat(fact) in said, fact
    final_said = flat(text_of(notice_pdf(final))[0])
    assert "最终结果" in final_said and "期间收到异议1件，均已答复。" in final_said
    assert "2026年4月23日" in final_said


def test_page_and_pdf_say_the_same(decided: tuple[NoticeModel, NoticeModel, Register]) -> None:
    preliminary, _, _ = decided
    page = flat(html_of(preliminary))
    pdf = flat(text_of(notice_pdf(preliminary))[0])
    sentences = [preliminary.heading, preliminary.intro, *preliminary.status]
    for item in preliminary.items:
        sentences += [item.title, item.matter, item.rule, item.outcome, *item.reasons]
        sentences += [f.area for f in item.figures] + [c.label for c in item.candidates]
    for s in sentences:
        assert flat(s) in page and flat(s) in pdf, s


def test_no_name_id_or_phone_of_the_register_appears(
    decided: tuple[NoticeModel, NoticeModel, Register],
) -> None:
    preliminary, final, register = decided
    assert len(register.personal) > 400  # names, ID numbers and phones of ~200 units
    for model in (preliminary, final):
        shown = html_of(model) + text_of(notice_pdf(model))[0] + repr(model)
        leaked = sorted(p for p in register.personal if p in shown or flat(p) in flat(shown))
        assert not leaked


def test_the_pdf_is_the_same_bytes_each_time(
    decided: tuple[NoticeModel, NoticeModel, Register],
) -> None:
    preliminary, _, _ = decided
    assert notice_pdf(preliminary) == notice_pdf(preliminary)


def test_the_qr_drawing_has_one_square_per_dark_module(
    decided: tuple[NoticeModel, NoticeModel, Register],
) -> None:
    qr = decided[0].qr()
    drawing = qr_drawing(qr)
    squares = [s for s in drawing.contents if isinstance(s, Rect)]
    assert len(squares) == sum(sum(1 for m in row if m) for row in qr.matrix)
    # The top-left finder pattern's corner module, four modules in from the quiet zone.
    unit = drawing.width / (len(qr.matrix) + 8)
    corner = min(squares, key=lambda r: (-r.y, r.x))
    assert (round(corner.x / unit), round((drawing.height - corner.y) / unit)) == (4, 5)
