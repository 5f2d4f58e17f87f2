"""The SVG charts: exact integer geometry from integer fen, accessible text, empty data."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from web.pages import charts
from web.pages.money import compact, money

NS = "{http://www.w3.org/2000/svg}"


def _one(el: ET.Element, tag: str) -> ET.Element:
    found = el.find(NS + tag)
    assert found is not None, tag
    return found


def _text(el: ET.Element, tag: str) -> str | None:
    return _one(el, tag).text


def _int(el: ET.Element, attr: str) -> int:
    return int(el.get(attr, "x"))


def _bars(labels: list[str], *series: tuple[int, ...]) -> ET.Element:
    svg = charts.bar_chart(
        "t",
        labels,
        [charts.Series(f"s{i}", "#123456", s) for i, s in enumerate(series)],
        title="收入<和>支出",
        desc="三个月",
        empty="暂无数据",
        axis_label=lambda fen: compact(fen, "zh"),
        mark_label=money,
    )
    return ET.fromstring(str(svg))


def test_money_is_exact_fen() -> None:
    assert money(123456) == "¥1,234.56"
    assert money(-5) == "-¥0.05"
    assert money(0) == "¥0.00"
    assert money(10**17 + 1) == "¥1,000,000,000,000,000.01"  # no float would keep the fen
    assert compact(6_000_000, "zh") == "¥6万" and compact(6_000_000, "en") == "¥60k"
    assert compact(386_500_000, "zh") == "¥386.5万"
    assert compact(12_345, "zh") == "¥123.45"


def test_nice_step() -> None:
    assert charts.nice_step(5_917_200) == 2_000_000
    assert charts.nice_step(4) == 1
    assert charts.nice_step(0) == 1
    assert charts.nice_step(801) == 500


def test_bar_heights_are_exact_integers() -> None:
    root = _bars(["9月", "10月"], (5_867_500, 5_774_750), (4_966_430, 5_244_275))
    assert _text(root, "title") == "收入<和>支出"  # escaped in the markup, intact here
    assert _text(root, "desc") == "三个月"
    assert root.get("role") == "img" and root.get("aria-labelledby") == "t-t t-d"
    rects = root.findall(f"{NS}rect")
    assert len(rects) == 4
    plot = charts.HEIGHT - charts.TOP - charts.BOTTOM
    top = 6_000_000  # the highest amount rounded up to the 2万 step
    heights = [_int(r, "height") for r in rects]
    assert heights == [v * plot // top for v in (5_867_500, 4_966_430, 5_774_750, 5_244_275)]
    for r in rects:  # every bar stands on the axis
        assert _int(r, "y") + _int(r, "height") == charts.TOP + plot
    titles = [_text(r, "title") for r in rects]
    assert titles[0] == "9月 s0 ¥58,675.00" and titles[3] == "10月 s1 ¥52,442.75"
    ticks = [t.text for t in root.findall(f"{NS}text")]
    assert ticks[:4] == ["¥0", "¥2万", "¥4万", "¥6万"] and ticks[-2:] == ["9月", "10月"]
    # integers only: no coordinate has a fraction
    assert not re.search(r'="\d+\.\d+"', str(ET.tostring(root, encoding="unicode")))


def test_no_style_attribute_or_script() -> None:
    markup = str(
        charts.step_chart(
            "f",
            ["期初", "9月"],
            [386_452_100, 387_702_100],
            color="#2e7d32",
            title="t",
            desc="d",
            empty="e",
            axis_label=str,
            mark_label=money,
        )
    )
    assert "style=" not in markup and "<script" not in markup


def test_step_chart_points() -> None:
    values = [386_452_100, 387_702_100, 388_884_600]
    root = ET.fromstring(
        str(
            charts.step_chart(
                "f",
                ["期初", "9月", "10月"],
                values,
                color="#2e7d32",
                title="余额",
                desc="d",
                empty="e",
                axis_label=lambda fen: compact(fen, "zh"),
                mark_label=money,
            )
        )
    )
    dots = root.findall(f"{NS}circle")
    assert [_text(d, "title") for d in dots] == [
        "期初 ¥3,864,521.00",
        "9月 ¥3,877,021.00",
        "10月 ¥3,888,846.00",
    ]
    ys = [_int(d, "cy") for d in dots]
    assert ys[0] > ys[1] > ys[2]  # rising balance, higher on the screen
    path = _one(root, "path").get("d", "")
    assert path.startswith(f"M{dots[0].get('cx')} {ys[0]}") and path.count("H") == 2


@pytest.mark.parametrize("labels,series", [([], ()), (["9月"], ((0,),))])
def test_empty_bars_say_so(labels: list[str], series: tuple[tuple[int, ...], ...]) -> None:
    root = _bars(labels, *series)
    assert root.findall(f"{NS}rect") == []
    assert [t.text for t in root.findall(f"{NS}text")] == ["暂无数据"]
    assert _text(root, "title") == "收入<和>支出"


def test_empty_steps_say_so() -> None:
    svg = charts.step_chart(
        "f",
        [],
        [],
        color="#000",
        title="t",
        desc="d",
        empty="暂无数据",
        axis_label=str,
        mark_label=money,
    )
    root = ET.fromstring(str(svg))
    assert root.find(f"{NS}path") is None and _text(root, "text") == "暂无数据"


def test_flat_balance_and_bad_input() -> None:
    flat = ET.fromstring(
        str(
            charts.step_chart(
                "f",
                ["a", "b"],
                [500, 500],
                color="#000",
                title="t",
                desc="d",
                empty="e",
                axis_label=str,
                mark_label=money,
            )
        )
    )
    assert len({d.get("cy") for d in flat.findall(f"{NS}circle")}) == 1
    with pytest.raises(ValueError):
        _bars(["9月"], (-1,))
    with pytest.raises(ValueError):
        _bars(["9月", "10月"], (1,))
