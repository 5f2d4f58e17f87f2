"""Where a unit's exclusive area comes from (SPC interpretation on building distinguished
ownership, 法释〔2009〕7号 as amended 2020, Art. 8).

Art. 8: 专有部分面积……按照不动产登记簿记载的面积计算；尚未进行物权登记的，暂按测绘机构的
实测面积计算；尚未进行实测的，暂按房屋买卖合同记载的面积计算 — the registry's area first,
else the surveyed area, else the sale contract's. The register records which one a unit's
area is, and every census row repeats it, so a reader can see which areas are provisional.
Pure: a vocabulary and its spellings.
"""

from __future__ import annotations

REGISTRY, SURVEYED, CONTRACT = "registry", "surveyed", "contract"
# In Art. 8's order of precedence.
AREA_SOURCES: tuple[str, ...] = (REGISTRY, SURVEYED, CONTRACT)
ZH: dict[str, str] = {REGISTRY: "登记簿", SURVEYED: "实测", CONTRACT: "合同"}

# How a register's cell may spell each source (Chinese as property offices write it, or the
# English word). A unit none of whose rows names a source has the registry's area, as Art. 8
# presumes.
SPELLINGS: dict[str, str] = {
    "登记簿": REGISTRY,
    "不动产登记簿": REGISTRY,
    "登记": REGISTRY,
    "实测": SURVEYED,
    "实测面积": SURVEYED,
    "测绘": SURVEYED,
    "合同": CONTRACT,
    "合同面积": CONTRACT,
    "购房合同": CONTRACT,
} | {s: s for s in AREA_SOURCES}


def parse_source(text: str) -> str | None:
    """The source a cell names (``"实测"`` → ``"surveyed"``), or None if it names none."""
    return SPELLINGS.get(text.strip().lower())
