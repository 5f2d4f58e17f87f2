"""Disclosure schemas: each kind parses, and bad fields are refused with our bilingual error."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from identity.w3c.dataintegrity import verify_signed_json
from ledger.disclosure.entries import (
    Disclosure,
    Objection,
    is_canonical,
    parse_entry,
    read_entry,
)
from ledger.disclosure.errors import AuthorityError, DisclosureError, SchemaError
from ledger.disclosure.fields import fen, next_period, yuan
from ledger.disclosure.kinds import (
    FeeStandard,
    IncomeExpense,
    Kind,
    MaintenanceFund,
    parse_body,
)
from ledger.tlog.errors import LedgerError
from tests import ledger_disclosure_support as s


def _verify(doc: Any) -> str:
    return verify_signed_json(doc).controller


def test_every_kind_parses() -> None:
    ref = {"ballot": s.BALLOT, "index": 9, "leafHash": "ab" * 32}
    bodies = {
        Kind.FEE_STANDARD: s.fee_standard(),
        Kind.INCOME_EXPENSE: s.income_expense(),
        Kind.MAINTENANCE_FUND: s.maintenance_fund(spending=[("电梯", 100, ref)]),
        Kind.COMMON_AREA_INCOME: s.common_area(),
        Kind.ATTACHMENT: s.attachment(),
    }
    for kind, body in bodies.items():
        parsed = parse_body(kind, body)
        assert parsed is not None
    fees = parse_body(Kind.FEE_STANDARD, bodies[Kind.FEE_STANDARD])
    assert isinstance(fees, FeeStandard) and fees.items[0].standard == 250
    fund = parse_body(Kind.MAINTENANCE_FUND, bodies[Kind.MAINTENANCE_FUND])
    assert isinstance(fund, MaintenanceFund)
    assert fund.spending[0].approval.leaf_hash == bytes.fromhex("ab" * 32)


@pytest.mark.parametrize("bad", [12.5, 12.0, "1250", "12.50", True, False, None, [1], 10**16, -1])
def test_money_must_be_integer_fen(bad: object) -> None:
    body = s.income_expense()
    body["income"][0]["amountFen"] = bad
    with pytest.raises(SchemaError) as caught:
        parse_body(Kind.INCOME_EXPENSE, body)
    assert "body.income[0].amountFen" in str(caught.value)
    assert " / " in str(caught.value)


def test_balances_may_be_negative_but_maintenance_fund_may_not() -> None:
    body = s.income_expense(opening=-50_000)
    parsed = parse_body(Kind.INCOME_EXPENSE, body)
    assert isinstance(parsed, IncomeExpense) and parsed.opening == -50_000
    with pytest.raises(SchemaError, match=r"openingFen"):
        parse_body(Kind.MAINTENANCE_FUND, s.maintenance_fund(opening=-1))


@pytest.mark.parametrize(
    ("path", "value", "needle"),
    [
        (("period",), "2026-13", "YYYY-MM"),
        (("period",), "2026-1", "YYYY-MM"),
        (("account",), "   ", "blank"),
        (("account",), "a\x00b", "control"),
        (("income",), {}, "array"),
        (("income", 0, "category"), 5, "string"),
        (("extra",), 1, "unknown field"),
    ],
)
def test_bad_fields_are_named(path: tuple[Any, ...], value: object, needle: str) -> None:
    body = s.income_expense()
    target: Any = body
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    with pytest.raises(SchemaError, match=needle):
        parse_body(Kind.INCOME_EXPENSE, body)


def test_missing_fields_and_bad_enums() -> None:
    body = s.income_expense()
    del body["closingFen"]
    with pytest.raises(SchemaError, match="closingFen"):
        parse_body(Kind.INCOME_EXPENSE, body)
    fees = s.fee_standard()
    fees["items"][0]["per"] = "m2_year"
    with pytest.raises(SchemaError, match="m2_month"):
        parse_body(Kind.FEE_STANDARD, fees)
    fees = s.fee_standard()
    fees["items"].append(copy.deepcopy(fees["items"][0]))
    with pytest.raises(SchemaError, match="twice"):
        parse_body(Kind.FEE_STANDARD, fees)
    fees = s.fee_standard()
    fees["items"] = []
    with pytest.raises(SchemaError, match="at least one"):
        parse_body(Kind.FEE_STANDARD, fees)
    doc = s.attachment()
    doc["sha256"] = doc["sha256"].upper()
    with pytest.raises(SchemaError, match="lowercase hex"):
        parse_body(Kind.ATTACHMENT, doc)
    doc = s.attachment()
    doc["date"] = "2026-02-30"
    with pytest.raises(SchemaError, match="YYYY-MM-DD"):
        parse_body(Kind.ATTACHMENT, doc)


def test_read_entry_checks_canonical_form_log_and_signer() -> None:
    doc = s.disclosure("IncomeExpense", s.income_expense())
    read = read_entry(s.raw(doc), origin=s.ORIGIN, verify=_verify)
    assert isinstance(read.entry, Disclosure) and read.signer == str(s.MANAGER.did)

    with pytest.raises(SchemaError, match="canonical"):
        read_entry(s.raw(doc) + b" ", origin=s.ORIGIN, verify=_verify)
    spaced = s.raw(doc).replace(b'"type":', b'"type" :')
    with pytest.raises(SchemaError, match="canonical"):
        read_entry(spaced, origin=s.ORIGIN, verify=_verify)
    with pytest.raises(SchemaError, match="not valid JSON"):
        read_entry(b"{", origin=s.ORIGIN, verify=_verify)
    with pytest.raises(SchemaError, match="for log"):
        read_entry(s.raw(doc), origin=s.ORIGIN + "x", verify=_verify)

    forged = copy.deepcopy(doc)
    forged["body"]["income"][0]["amountFen"] += 1
    with pytest.raises(AuthorityError, match="does not verify"):
        read_entry(s.raw(forged), origin=s.ORIGIN, verify=_verify)

    # signed by the owner but claiming the property manager as publisher
    claimed = s.disclosure("IncomeExpense", s.income_expense(), key=s.OWNER)
    claimed_doc = {k: v for k, v in claimed.items() if k != "proof"}
    claimed_doc["publisher"] = str(s.MANAGER.did)
    from identity.w3c.dataintegrity import sign_json

    impostor = sign_json(claimed_doc, s.OWNER)
    with pytest.raises(AuthorityError, match="not by"):
        read_entry(s.raw(impostor), origin=s.ORIGIN, verify=_verify)


def test_unsigned_entry_is_refused() -> None:
    doc = s.disclosure("Attachment", s.attachment())
    del doc["proof"]
    with pytest.raises(SchemaError, match="proof"):
        read_entry(s.raw(doc), origin=s.ORIGIN, verify=_verify)


def test_objection_text_keeps_personal_data_out() -> None:
    doc = s.objection(0, b"\x01" * 32, "请联系我 13912345678")
    with pytest.raises(SchemaError, match="phone"):
        parse_entry(doc)
    doc = s.objection(0, b"\x01" * 32, "身份证 31010519800101123X 的业主")
    with pytest.raises(SchemaError, match="ID-card"):
        parse_entry(doc)
    fine = parse_entry(s.objection(0, b"\x01" * 32, "2026年1月保洁费 150000 分偏高"))
    assert isinstance(fine, Objection)


def test_errors_are_ledger_errors() -> None:
    assert issubclass(DisclosureError, LedgerError)
    with pytest.raises(LedgerError):
        parse_entry({"type": "Nonsense"})


def test_canonical_fast_path_agrees_with_jcs() -> None:
    from identity.w3c.jcs import canonical

    docs: list[Any] = [
        {"b": 1, "a": 'x\n\t"\\\x01\x7f', "c": [True, None, False, -0, 2**53 - 1]},
        {"中": 1},  # non-ASCII key: goes through the full canonicalizer
        {"f": 1.5},
        {"e": "\u2028\u2029é😀"},
    ]
    for doc in docs:
        raw = canonical(doc)
        assert is_canonical(raw, doc)
        assert not is_canonical(raw + b" ", doc)


def test_small_helpers() -> None:
    assert next_period("2026-12") == "2027-01"
    assert next_period("2026-01") == "2026-02"
    assert yuan(-123_456) == "-1,234.56元" and yuan(5) == "0.05元"
    with pytest.raises(SchemaError):
        fen(1e3, "x")


def test_entry_bytes_that_are_not_exactly_canonical_are_refused() -> None:
    doc = s.disclosure("IncomeExpense", s.income_expense())
    raw = s.raw(doc)
    duplicated = raw.replace(b'{"body":', b'{"body":{},"body":', 1)
    nan = raw.replace(b'"openingFen":0', b'"openingFen":NaN', 1)
    zero = raw.replace(b'"openingFen":0', b'"openingFen":0.0', 1)
    exponent = raw.replace(b'"openingFen":0', b'"openingFen":1e2', 1)
    decimal = raw.replace(b'"openingFen":0', b'"openingFen":12.5', 1)
    deep = b"[" * 100_000 + b"]" * 100_000
    utf16 = raw.decode().encode("utf-16")
    for bad, needle in [
        (duplicated, "canonical"),
        (nan, "not valid JSON"),
        (zero, "canonical"),  # RFC 8785 writes 0
        (exponent, "canonical"),  # and 100
        (decimal, "integer number of fen"),  # canonical, but money is integer fen
        (deep, "JSON"),
        (utf16, "JSON"),
        (b"\xff" + raw, "not valid JSON"),
    ]:
        with pytest.raises(SchemaError, match=needle):
            read_entry(bad, origin=s.ORIGIN, verify=_verify)
