"""The property register (房屋登记册) as committees keep it: parse CSV or Excel, check every row.

One row per (unit, owner). Co-owners of a unit each get a row and exactly one of them is
marked as the holder who votes (表决人, the one the co-owners chose to vote for it). The same
person (same ID number) on several units is one owner. A unit's area says where it comes
from (面积来源: 登记簿 / 实测 / 合同, `identity.community.area_source`; 登记簿 when blank). An
owner without full legal capacity may have a guardian (监护人) named on their row, who then
votes for them. A file with any bad row imports nothing: every problem is reported with its
row. Pure apart from reading the bytes it is given.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from identity.community.area_source import REGISTRY, parse_source
from identity.community.idnumbers import IdNumberError, check_id_number, parse_doc_type
from identity.community.typed import typed
from identity.errors import IdentityError

# Accepted headers, Chinese first (what property offices use), English for API clients.
COLUMNS: dict[str, tuple[str, ...]] = {
    "unit": ("房号", "unit"),
    "area": ("专有部分面积", "面积", "area"),
    "name": ("业主姓名", "姓名", "name"),
    "id_number": ("证件号码", "身份证号", "id_number"),
    "id_type": ("证件类型", "id_type"),  # optional: inferred from the number's shape
    "phone": ("手机号", "电话", "phone"),
    "holder": ("表决人", "holder"),
    "developer": ("开发商持有", "developer"),
    # Optional: where the area comes from (SPC interpretation Art. 8), blank = 登记簿.
    "area_source": ("面积来源", "area_source"),
    # Optional: the guardian (监护人) who votes for the owner of this row.
    "guardian_name": ("监护人姓名", "guardian_name"),
    "guardian_id_number": ("监护人证件号码", "guardian_id_number"),
    "guardian_id_type": ("监护人证件类型", "guardian_id_type"),
    "guardian_phone": ("监护人手机号", "guardian_phone"),
}
GUARDIAN = ("guardian_name", "guardian_id_number", "guardian_id_type", "guardian_phone")
REQUIRED = ("unit", "area", "name", "id_number")
_YES = {"是", "y", "yes", "true", "1", "√"}
_NO = {"", "否", "n", "no", "false", "0"}
_UNIT_RE = re.compile(r"^[0-9A-Za-z]+(-[0-9A-Za-z]+){1,3}$")
_AREA_RE = re.compile(r"^[0-9]{1,7}(\.[0-9]{1,2})?$")
# The largest compounds have a few thousand units; a sheet far beyond that is a mistake or an
# attack, and is refused before it is read to the end (reading costs ~0.2 ms a row).
MAX_XLSX_ROWS = 50_000


# One problem of a register: (row number, 中文, English).
Problem = tuple[int, str, str]


class RegisterError(IdentityError):
    """The register file has errors; `problems` lists each as (row number, 中文, English)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = problems[:20]
        more = f" (+{len(problems) - 20})" if len(problems) > 20 else ""
        lines_zh = "；".join(f"第{row}行：{zh}" for row, zh, _ in shown)
        lines_en = "; ".join(f"row {row}: {en}" for row, _, en in shown)
        super().__init__(
            f"登记册有 {len(problems)} 处错误，未导入任何数据：{lines_zh}{more}",
            f"the register has {len(problems)} error(s); nothing was imported: {lines_en}{more}",
        )


class CellError(IdentityError):
    """One cell of a register row holds a value that cannot be read (an area, a yes/no)."""


@dataclass(frozen=True)
class Owner:
    """A natural or legal person; `id_number` identifies them across units."""

    name: str
    id_number: str
    phone: str


@dataclass(frozen=True)
class RegisteredUnit:
    unit: str
    area_centi: int  # exclusive area in 0.01 m²
    developer: bool
    owners: tuple[Owner, ...]
    holder: Owner  # the co-owner who votes for the unit
    area_source: str = REGISTRY  # one of area_source.AREA_SOURCES


@dataclass
class Register:
    units: list[RegisteredUnit] = field(default_factory=list)
    # An owner's ID number → their guardian (监护人), who votes in their place.
    guardians: dict[str, Owner] = field(default_factory=dict)

    def owners(self) -> list[Owner]:
        """Each person once, in first-appearance order (a buyer of several units is one owner)."""
        seen: dict[str, Owner] = {}
        for u in self.units:
            for o in u.owners:
                seen.setdefault(o.id_number, o)
        return list(seen.values())


def parse_area(text: str) -> int:
    """'89.37' → 8937 (0.01 m²); positive, at most two decimals, no exponent or sign."""
    t = text.strip()
    if not _AREA_RE.match(t):
        raise CellError(
            f"面积“{text}”不是最多两位小数的正数",
            f"area {text!r} is not a positive number with at most two decimals",
        )
    whole, _, frac = t.partition(".")
    value = int(whole) * 100 + int((frac + "00")[:2])
    if value <= 0:
        raise CellError("面积必须大于0", f"area must be greater than 0 (got {text!r})")
    return value


def _yes(text: str, what_zh: str, what_en: str) -> bool:
    t = text.strip().lower()
    if t in _YES:
        return True
    if t in _NO:
        return False
    raise CellError(
        f"{what_zh}应填“是”或“否”，而不是“{text}”", f"{what_en} must be yes or no, not {text!r}"
    )


def _header_map(header: Iterable[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, raw in enumerate(header):
        name = (raw or "").strip().lstrip("\ufeff")
        for key, aliases in COLUMNS.items():
            if name in aliases:
                found[key] = i
    missing = [COLUMNS[k][0] + "/" + COLUMNS[k][-1] for k in REQUIRED if k not in found]
    if missing:
        raise RegisterError(
            [(1, f"缺少列：{'、'.join(missing)}", f"missing column(s): {', '.join(missing)}")]
        )
    return found


def parse_rows(rows: Iterable[list[str]]) -> Register:
    """Check and group the rows of a register; the first row is the header."""
    it = iter(rows)
    try:
        header = next(it)
    except StopIteration:
        raise RegisterError([(1, "文件为空", "the file is empty")]) from None
    cols = _header_map(header)
    problems: list[Problem] = []
    grouped: dict[str, list[tuple[int, Mapping[str, str]]]] = {}
    for rowno, raw in enumerate(it, start=2):
        cells = [("" if c is None else str(c)).strip() for c in raw]
        if not any(cells):
            continue
        row = {k: (cells[i] if i < len(cells) else "") for k, i in cols.items()}
        # A unit number typed in a spreadsheet with a Chinese input method ("１-１-１０１", a
        # zero-width space pasted along) is the unit an owner types at enrolment, which is
        # folded the same way: one unit, never two, and never a refusal for its spelling.
        row["unit"] = typed(row["unit"])
        for key in REQUIRED:
            if not row[key]:
                problems.append((rowno, f"“{COLUMNS[key][0]}”为空", f"{COLUMNS[key][-1]} is empty"))
        if row["unit"] and not _UNIT_RE.match(row["unit"]):
            problems.append(
                (
                    rowno,
                    f"房号“{row['unit']}”格式应如 3-1-502",
                    f"unit {row['unit']!r} should look like 3-1-502",
                )
            )
        grouped.setdefault(row["unit"], []).append((rowno, row))
    register = Register()
    persons: dict[str, tuple[int, Owner]] = {}
    claims: list[_GuardianClaim] = []
    for unit, rows_ in grouped.items():
        unit_problems = _unit(unit, rows_, persons, register, claims)
        problems.extend(unit_problems)
    problems.extend(_guardians(claims, persons, register))
    if not grouped and not problems:
        problems.append((2, "没有任何房屋", "the register lists no units"))
    if problems:
        raise RegisterError(sorted(problems))
    return register


@dataclass(frozen=True)
class _GuardianClaim:
    """A row naming a guardian for its owner; checked once every row has been read."""

    row: int
    ward: str  # the owner's ID number
    guardian: Owner
    developer: bool


def _unit(
    unit: str,
    rows: list[tuple[int, Mapping[str, str]]],
    persons: dict[str, tuple[int, Owner]],
    register: Register,
    claims: list[_GuardianClaim],
) -> list[Problem]:
    problems: list[Problem] = []
    areas: set[int] = set()
    sources: set[str] = set()
    devs: set[bool] = set()
    owners: list[Owner] = []
    holders: list[Owner] = []
    for rowno, row in rows:
        try:
            areas.add(parse_area(row["area"]))
        except CellError as exc:
            problems.append((rowno, exc.zh, exc.en))
        # A co-owner's row may leave the source blank; two rows stating two sources conflict.
        source = parse_source(row.get("area_source", "")) if row.get("area_source") else ""
        if source is None:
            problems.append(
                (
                    rowno,
                    f"面积来源应为“登记簿”“实测”或“合同”，而不是“{row.get('area_source', '')}”",
                    "area_source must be registry (登记簿), surveyed (实测) or contract (合同), "
                    f"not {row.get('area_source', '')!r}",
                )
            )
        elif source:
            sources.add(source)
        try:
            developer = _yes(row.get("developer", ""), "开发商持有", "developer")
            devs.add(developer)
            is_holder = _yes(row.get("holder", ""), "表决人", "holder")
        except CellError as exc:
            problems.append((rowno, exc.zh, exc.en))
            continue
        # One normal form before matching and hashing: a twin spelling is the same person.
        try:
            id_number = check_id_number(
                row["id_number"], parse_doc_type(row.get("id_type", ""))
            ).number
        except IdNumberError as exc:
            problems.append((rowno, f"证件号码：{exc.zh}", f"ID number: {exc.en}"))
            continue
        owner = Owner(name=row["name"], id_number=id_number, phone=row.get("phone", ""))
        if id_number in persons and persons[id_number][1].name != owner.name:
            problems.append(
                (
                    rowno,
                    f"证件号码与第{persons[id_number][0]}行相同但姓名不同",
                    f"same ID number as row {persons[id_number][0]} but a different name",
                )
            )
        persons.setdefault(id_number, (rowno, owner))
        if any(o.id_number == id_number for o in owners):
            problems.append(
                (rowno, f"房号 {unit} 重复列出同一业主", f"unit {unit} lists the same owner twice")
            )
            continue
        owners.append(owner)
        if is_holder:
            holders.append(owner)
        if any(row.get(k, "") for k in GUARDIAN):
            try:
                guardian = _guardian(row, id_number)
            except CellError as exc:
                problems.append((rowno, exc.zh, exc.en))
            else:
                claims.append(_GuardianClaim(rowno, id_number, guardian, developer))
    first = rows[0][0]
    if len(areas) > 1:
        problems.append((first, f"房号 {unit} 的面积前后不一", f"unit {unit} has differing areas"))
    if len(sources) > 1:
        problems.append(
            (first, f"房号 {unit} 的面积来源前后不一", f"unit {unit} has differing area sources")
        )
    if len(devs) > 1:
        problems.append(
            (
                first,
                f"房号 {unit} 的开发商标记前后不一",
                f"unit {unit} has differing developer marks",
            )
        )
    if len(owners) == 1 and not holders:
        holders = owners  # a sole owner votes without being marked
    if len(holders) != 1:
        problems.append(
            (
                first,
                f"房号 {unit} 有 {len(owners)} 位共有人，须恰好指定一位表决人",
                f"unit {unit} has {len(owners)} co-owners and needs exactly one designated "
                "holder (表决人)",
            )
        )
    if not problems and areas:
        register.units.append(
            RegisteredUnit(
                unit=unit,
                area_centi=areas.pop(),
                developer=devs.pop(),
                owners=tuple(owners),
                holder=holders[0],
                area_source=sources.pop() if sources else REGISTRY,
            )
        )
    return problems


def _guardian(row: Mapping[str, str], ward: str) -> Owner:
    """The guardian a row names for its owner: name and a valid ID number, not the owner."""
    if not row.get("guardian_name") or not row.get("guardian_id_number"):
        raise CellError(
            "填写监护人时须同时填写监护人姓名和监护人证件号码",
            "a guardian needs both guardian_name and guardian_id_number",
        )
    try:
        number = check_id_number(
            row["guardian_id_number"], parse_doc_type(row.get("guardian_id_type", ""))
        ).number
    except IdNumberError as exc:
        raise CellError(f"监护人证件号码：{exc.zh}", f"guardian_id_number: {exc.en}") from None
    if number == ward:
        raise CellError("业主不能做自己的监护人", "an owner cannot be their own guardian")
    return Owner(name=row["guardian_name"], id_number=number, phone=row.get("guardian_phone", ""))


def _guardians(
    claims: list[_GuardianClaim], persons: dict[str, tuple[int, Owner]], register: Register
) -> list[Problem]:
    """Check the guardians named across rows and record them on `register`.

    An owner has one guardian however many rows name one; a guardian is a person of full
    capacity (not under guardianship here); the developer, a legal person, has none; and a
    guardian who also appears as an owner, or on another row, bears one name."""
    problems: list[Problem] = []
    chosen: dict[str, tuple[int, Owner]] = {}
    for claim in claims:
        if claim.developer:
            problems.append(
                (claim.row, "开发商持有的房屋不设监护人", "a developer-held unit has no guardian")
            )
            continue
        g = claim.guardian
        first = chosen.setdefault(claim.ward, (claim.row, g))
        if first[1].id_number != g.id_number:
            problems.append(
                (
                    claim.row,
                    f"同一业主在第{first[0]}行登记了另一位监护人",
                    f"row {first[0]} names another guardian for the same owner",
                )
            )
            continue
        seen = persons.setdefault(g.id_number, (claim.row, g))
        if seen[1].name != g.name:
            problems.append(
                (
                    claim.row,
                    f"监护人证件号码与第{seen[0]}行相同但姓名不同",
                    f"the guardian's ID number is on row {seen[0]} with a different name",
                )
            )
    for ward, (row, g) in chosen.items():
        if g.id_number in chosen:
            problems.append(
                (
                    row,
                    "监护人本人也登记了监护人，须由有完全民事行为能力的人担任",
                    "the guardian has a guardian too: a guardian must have full legal capacity",
                )
            )
        else:
            register.guardians[ward] = g
    return problems


def parse_csv(data: bytes) -> Register:
    """A CSV register, UTF-8 (with or without BOM) or GB18030 as exported by Chinese Excel."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RegisterError([(1, "无法识别文件编码", "cannot decode the file (use UTF-8 or GBK)")])
    return parse_rows(csv.reader(io.StringIO(text)))


def parse_xlsx(data: bytes) -> Register:
    """An Excel (.xlsx) register: the first worksheet, first row the header."""
    from openpyxl import load_workbook  # imported lazily: only committees uploading Excel need it

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types for a bad file
        raise RegisterError(
            [(1, "不是有效的 Excel 文件", f"not a valid .xlsx file ({type(exc).__name__})")]
        ) from exc
    try:
        sheet = book.worksheets[0]
        # The sheet's declared size first (free), then a count as it is read: the
        # declaration is optional and may lie. (openpyxl would silently stop reading at a
        # declared size that is too small, dropping owners: every row is read instead.)
        if (sheet.max_row or 0) > MAX_XLSX_ROWS + 1:
            raise _too_many_rows()
        sheet.reset_dimensions()
        rows: list[list[str]] = []
        for r in sheet.iter_rows(values_only=True):
            if len(rows) > MAX_XLSX_ROWS:
                raise _too_many_rows()
            rows.append(["" if v is None else _cell(v) for v in r])
    finally:
        book.close()
    return parse_rows(rows)


def _too_many_rows() -> RegisterError:
    return RegisterError(
        [
            (
                MAX_XLSX_ROWS + 2,
                f"工作表超过 {MAX_XLSX_ROWS} 行，未导入",
                f"the worksheet has more than {MAX_XLSX_ROWS} rows; nothing was imported",
            )
        ]
    )


def _cell(value: object) -> str:
    # Excel stores areas as binary floats; repr gives the shortest round-trip decimal ("89.37").
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value)
