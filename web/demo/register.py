"""A demo community's property register, generated deterministically.

Everything here is invented for demonstration (the names are built from common surnames and
given-name characters; ID numbers are synthetic, with a valid GB 11643 check digit so the
importer treats them as it would real ones). It is only ever loaded by `gongzhi serve --demo`
and by tests; nothing presents it as a real community.
"""

from __future__ import annotations

import csv
import io
import random

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红"
HEADER = ["房号", "专有部分面积", "业主姓名", "证件号码", "手机号", "表决人", "开发商持有"]
DEVELOPER = ("上海示范置业有限公司", "91310000MA1FL0000N", "02100000000")


def _check_digit(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]


def _person(rng: random.Random) -> tuple[str, str, str]:
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    born = f"{rng.randint(1940, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first17 = f"310105{born}{rng.randint(0, 999):03d}"
    phone = f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}"
    return name, first17 + _check_digit(first17), phone


def demo_register_csv(seed: int = 278) -> bytes:
    """~200 units in 5 buildings: sole owners, co-owners, a multi-unit buyer, developer stock."""
    rng = random.Random(seed)
    rows: list[list[str]] = [HEADER]
    buyer = _person(rng)  # one buyer of three units: one identity, one head
    floors = {1: 13, 2: 13, 3: 12, 5: 12, 6: 11}
    n = 0
    for building, top in floors.items():
        for entrance in (1, 2):
            for floor in range(1, top + 1):
                for room in (1, 2) if floor > 4 else (1,):
                    n += 1
                    unit = f"{building}-{entrance}-{floor}{room:02d}"
                    centi = rng.randint(5800, 14300)
                    area = f"{centi // 100}.{centi % 100:02d}"
                    if floor == top and entrance == 2:
                        rows.append([unit, area, *DEVELOPER, "是", "是"])
                    elif n % 67 == 0:
                        rows.append([unit, area, *buyer, "是", "否"])
                    elif n % 9 == 0:  # a couple: the first named votes
                        a, b = _person(rng), _person(rng)
                        rows.append([unit, area, *a, "是", "否"])
                        rows.append([unit, area, *b, "否", "否"])
                    else:
                        rows.append([unit, area, *_person(rng), "是", "否"])
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")
