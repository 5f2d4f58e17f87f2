"""ID numbers of the persons in a register: one normal form, checked by document type.

A person is matched across rows, units and later sales by a keyed hash of the ID number
(`identity.community.pii.PiiCipher.lookup`), so two spellings of one number would make two persons —
two heads in Art. 278's headcount. Every number is therefore brought to one form before it
is hashed or stored: Unicode NFKC (full-width digits and letters become ASCII), invisible
and format characters removed (Unicode categories Cf, Cc and every separator Z*: zero-width
spaces, BOMs, directional marks, ideographic spaces), letters upper-cased (the check
character X of an ID card is written either way).

Then it must be a number of one of the documents a register may name (证件类型):

* 居民身份证 — GB 11643-1999: 17 digits and a mod 11-2 check character; a province code
  that exists and a birth date that is a real day, not in the future.
* 统一社会信用代码 — GB 32100-2015: 18 characters of 0-9 and A-Y without I O S V Z, the
  administrative division (positions 3–8) in digits, a mod 31 check character.
* 护照 — ICAO 9303 document number: 5–9 letters or digits, at least one digit (Chinese
  passports E/G + 8 digits, EA… + 7).
* 港澳居民来往内地通行证 — H (Hong Kong) or M (Macao) and 8 digits (10 on older permits).
* 台湾居民来往大陆通行证 — 8 digits (10 on older permits).
* 外国人永久居留身份证 — 2017 card: 3 letters (country) and 12 digits; 2023 card: 18
  digits beginning with 9, checked like a 居民身份证 (GB 11643 check and birth date).

Pure: no I/O. The day a birth date is checked against is passed in by tests.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from identity.errors import IdentityError


class IdNumberError(IdentityError):
    """An ID number breaks the rule of its document type; the message names the rule."""


class DocType(StrEnum):
    RESIDENT_ID = "resident_id"
    CREDIT_CODE = "credit_code"
    PASSPORT = "passport"
    HK_MACAO_PERMIT = "hk_macao_permit"
    TAIWAN_PERMIT = "taiwan_permit"
    FOREIGN_PR = "foreign_pr"

    @property
    def zh(self) -> str:
        return DOC_NAMES[self]


DOC_NAMES: dict[DocType, str] = {
    DocType.RESIDENT_ID: "居民身份证",
    DocType.CREDIT_CODE: "统一社会信用代码",
    DocType.PASSPORT: "护照",
    DocType.HK_MACAO_PERMIT: "港澳居民来往内地通行证",
    DocType.TAIWAN_PERMIT: "台湾居民来往大陆通行证",
    DocType.FOREIGN_PR: "外国人永久居留身份证",
}
# What a committee may write in the register's 证件类型 column, normalised like the number.
DOC_ALIASES: dict[str, DocType] = {
    **{t.zh: t for t in DocType},
    **{t.value.upper(): t for t in DocType},
    "身份证": DocType.RESIDENT_ID,
    "信用代码": DocType.CREDIT_CODE,
    "营业执照": DocType.CREDIT_CODE,
    "回乡证": DocType.HK_MACAO_PERMIT,
    "港澳通行证": DocType.HK_MACAO_PERMIT,
    "台胞证": DocType.TAIWAN_PERMIT,
    "永久居留身份证": DocType.FOREIGN_PR,
    "永居证": DocType.FOREIGN_PR,
}

_GB11643_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_GB11643_CHECK = "10X98765432"
#: GB 32100-2015 表1: the 31 characters of a credit code, each worth its position here.
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_GB32100_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1 3 9 27 19 26 16 …
# GB/T 2260 province-level codes; 71 Taiwan, 81/82 Hong Kong/Macao and 83 (Taiwan
# residents) appear in residence-permit numbers that share the 居民身份证 format.
_PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)
_EIGHTEEN = re.compile(r"\d{17}[\dX]")
_CREDIT = re.compile(rf"[{CREDIT_CHARS}]{{2}}\d{{6}}[{CREDIT_CHARS}]{{10}}")
_PASSPORT = re.compile(r"(?=[A-Z]*\d)[A-Z0-9]{5,9}")
_HK_MACAO = re.compile(r"[HM](\d{8}|\d{10})")
_TAIWAN = re.compile(r"\d{8}|\d{10}")
_FOREIGN_PR_2017 = re.compile(r"[A-Z]{3}\d{12}")
_OLDEST = 1900


def normalise(text: str) -> str:
    """The one form an ID number is hashed and stored in (see the module's docstring)."""
    folded = unicodedata.normalize("NFKC", text)
    kept = "".join(c for c in folded if unicodedata.category(c)[0] not in "CZ" and not c.isspace())
    return kept.upper()


def gb11643_check(first17: str) -> str:
    """The check character of a 居民身份证 number (GB 11643-1999, ISO 7064 mod 11-2)."""
    total = sum(int(c) * w for c, w in zip(first17, _GB11643_WEIGHTS, strict=True))
    return _GB11643_CHECK[total % 11]


def gb32100_check(first17: str) -> str:
    """The check character of a 统一社会信用代码 (GB 32100-2015, mod 31)."""
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, _GB32100_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def _birth_date(number: str, today: date, what: str, what_en: str) -> None:
    digits = number[6:14]
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise IdNumberError(
            f"{what}第7–14位出生日期 {digits} 不是有效日期",
            f"positions 7–14 of the {what_en} number ({digits}) are not a real date of birth",
        ) from None
    if born > today or born.year < _OLDEST:
        raise IdNumberError(
            f"{what}第7–14位出生日期 {digits} 不合理（须在 {_OLDEST} 年至今之间）",
            f"the date of birth in positions 7–14 of the {what_en} number ({digits}) is not "
            f"plausible (between {_OLDEST} and today)",
        )


def _gb11643_digits(number: str, what: str, what_en: str, today: date) -> None:
    if not _EIGHTEEN.fullmatch(number):
        raise IdNumberError(
            f"{what}号码须为18位：17位数字加1位校验码（数字或X）",
            f"a {what_en} number has 18 characters: 17 digits and a check digit (0-9 or X)",
        )
    _birth_date(number, today, what, what_en)
    expected = gb11643_check(number[:17])
    if number[17] != expected:
        raise IdNumberError(
            f"{what}号码校验码错误（GB 11643：第18位应为 {expected}）",
            f"the {what_en} number's check digit is wrong (GB 11643: the 18th character "
            f"should be {expected})",
        )


def _resident_id(number: str, today: date) -> None:
    if len(number) == 15 and number.isdigit():
        raise IdNumberError(
            "15位的第一代居民身份证已停止使用，请填写18位号码",
            "15-digit first-generation ID cards are no longer valid; give the 18-digit number",
        )
    if _EIGHTEEN.fullmatch(number) and int(number[:2]) not in _PROVINCES:
        raise IdNumberError(
            f"居民身份证号码前两位 {number[:2]} 不是省级行政区划代码（GB/T 2260）",
            f"the first two digits {number[:2]} of the resident ID number are not a "
            "province code (GB/T 2260)",
        )
    _gb11643_digits(number, "居民身份证", "resident ID", today)


def _credit_code(number: str, today: date) -> None:
    if not _CREDIT.fullmatch(number):
        raise IdNumberError(
            "统一社会信用代码须为18位：数字及除 I、O、S、V、Z 外的大写字母，第3–8位为行政区划码",
            "a unified social credit code has 18 characters — digits and capital letters "
            "except I, O, S, V, Z — with the division code in positions 3–8",
        )
    expected = gb32100_check(number[:17])
    if number[17] != expected:
        raise IdNumberError(
            f"统一社会信用代码校验码错误（GB 32100：第18位应为 {expected}）",
            f"the unified social credit code's check character is wrong (GB 32100: the 18th "
            f"character should be {expected})",
        )


def _shape(pattern: re.Pattern[str], zh: str, en: str) -> Callable[[str, date], None]:
    def check(number: str, today: date) -> None:
        if not pattern.fullmatch(number):
            raise IdNumberError(zh, en)

    return check


def _foreign_pr(number: str, today: date) -> None:
    if _FOREIGN_PR_2017.fullmatch(number):
        return
    if len(number) == 18 and number.startswith("9"):
        _gb11643_digits(number, "外国人永久居留身份证", "permanent residence ID", today)
        return
    raise IdNumberError(
        "外国人永久居留身份证号码须为3位字母加12位数字（2017版）或以9开头的18位（2023版）",
        "a foreigner's permanent residence ID is 3 letters and 12 digits (2017 card) or 18 "
        "characters starting with 9 (2023 card)",
    )


_RULES: dict[DocType, Callable[[str, date], None]] = {
    DocType.RESIDENT_ID: _resident_id,
    DocType.CREDIT_CODE: _credit_code,
    DocType.PASSPORT: _shape(
        _PASSPORT,
        "护照号码须为5–9位字母或数字，且含数字",
        "a passport number has 5–9 letters or digits, at least one a digit",
    ),
    DocType.HK_MACAO_PERMIT: _shape(
        _HK_MACAO,
        "港澳居民来往内地通行证号码须为 H 或 M 加8位（旧证10位）数字",
        "a Hong Kong/Macao permit number is H or M followed by 8 digits (10 on older permits)",
    ),
    DocType.TAIWAN_PERMIT: _shape(
        _TAIWAN,
        "台湾居民来往大陆通行证号码须为8位（旧证10位）数字",
        "a Taiwan residents' permit number has 8 digits (10 on older permits)",
    ),
    DocType.FOREIGN_PR: _foreign_pr,
}


@dataclass(frozen=True)
class IdNumber:
    number: str  # normalised
    doc_type: DocType


def parse_doc_type(text: str) -> DocType | None:
    """The document type a register cell names; None for an empty cell (then inferred)."""
    key = normalise(text)
    if not key:
        return None
    try:
        return DOC_ALIASES[key]
    except KeyError:
        raise IdNumberError(
            f"证件类型“{text}”无法识别，应为：{'、'.join(DOC_NAMES.values())}",
            f"unknown document type {text!r}; use one of: {', '.join(t.value for t in DocType)}",
        ) from None


def infer_doc_type(number: str) -> DocType:
    """The document a normalised number looks like; `check_id_number` then applies its rule.

    An 18-digit number is read as a 居民身份证 (a 2023 foreigner's card when it begins with
    9) even though a credit code may be all digits: guessing the other way would accept a
    mistyped ID card one time in 31. An all-digit credit code needs its 证件类型 filled in.
    """
    if _EIGHTEEN.fullmatch(number) or (len(number) == 15 and number.isdigit()):
        return DocType.FOREIGN_PR if number.startswith("9") else DocType.RESIDENT_ID
    if len(number) == 18 and _CREDIT.fullmatch(number):
        return DocType.CREDIT_CODE
    if _HK_MACAO.fullmatch(number):
        return DocType.HK_MACAO_PERMIT
    if _FOREIGN_PR_2017.fullmatch(number):
        return DocType.FOREIGN_PR
    if _TAIWAN.fullmatch(number):
        return DocType.TAIWAN_PERMIT
    if _PASSPORT.fullmatch(number):
        return DocType.PASSPORT
    raise IdNumberError(
        "证件号码不符合任何受支持证件的格式（" + "、".join(DOC_NAMES.values()) + "）",
        "the ID number has the shape of no supported document (resident ID card, unified "
        "social credit code, passport, Hong Kong/Macao or Taiwan permit, foreigner's "
        "permanent residence ID)",
    )


def check_id_number(
    text: str, doc_type: DocType | None = None, *, today: date | None = None
) -> IdNumber:
    """Normalise ``text`` and check it by ``doc_type`` (inferred from its shape when None)."""
    number = normalise(text)
    if not number:
        raise IdNumberError("证件号码为空", "the ID number is empty")
    kind = doc_type if doc_type is not None else infer_doc_type(number)
    try:
        _RULES[kind](number, today if today is not None else date.today())
    except IdNumberError as exc:
        if doc_type is None and _is_credit_code(number):
            raise IdNumberError(
                f"{exc.zh}；若这是统一社会信用代码，请在“证件类型”列注明",
                f"{exc.en}; if this is a unified social credit code, say so in the 证件类型 "
                "(id_type) column",
            ) from exc
        raise
    return IdNumber(number, kind)


def _is_credit_code(number: str) -> bool:
    return bool(_CREDIT.fullmatch(number)) and gb32100_check(number[:17]) == number[17]
