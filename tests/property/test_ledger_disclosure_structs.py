"""The Structs' shortcut (`ledger.disclosure.structs`, taken by `read_entry`) reads a
disclosure exactly as `parse_entry` does: on valid statements and new accounts of every kind,
and on each of them with one member changed to an awkward value, taken away, or joined by an
unknown one, the shortcut gives the very entry `parse_entry` gives, or None where
`parse_entry` refuses (which then words the refusal)."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.disclosure.entries import Entry, _read_disclosure, parse_entry
from ledger.disclosure.errors import SchemaError
from tests import ledger_disclosure_support as s

REF = {"ballot": s.BALLOT, "index": 9, "leafHash": "ab" * 32}
BODIES = {
    "IncomeExpense": s.income_expense(),
    "MaintenanceFund": s.maintenance_fund(spending=[("电梯", 100, REF)]),
    "CommonAreaIncome": s.common_area(disbursements=(("分红", 1_000),)),
    "AccountOpened": s.account_opened(),
    "AccountOpened/fund": s.account_opened("MaintenanceFund", opening=5),
    # kinds the shortcut leaves to `parse_entry`
    "FeeStandard": s.fee_standard(),
}
DOCS = {name: s.disclosure(name.partition("/")[0], body) for name, body in BODIES.items()} | {
    "Objection": s.objection(3, b"\x01" * 32)
}

EDGES: list[Any] = [
    None,
    True,
    False,
    1.0,
    0,
    -1,
    10**15,
    10**15 + 1,
    -(10**15),
    -(10**15) - 1,
    2**53 - 1,
    2**53,
    2**64,
    "",
    " ",
    "\n",
    "\u3000",
    "a\n",
    "a\x00",
    "a\x7f",
    "a\x85",
    "x" * 200,
    "x" * 201,
    "账" * 2000,
    "账" * 2001,
    "\U0001f600" * 200,
    "2026-13",
    "2026-01\n",
    "2٠٢٦-01",
    "a-",
    "a" * 64,
    "a" * 65,
    "ab" * 32,
    "AB" * 32,
    "did:",
    "IncomeExpense",
    "MaintenanceFund",
    [],
    {},
    [{"category": "保洁", "amountFen": 1}] * 500,
    [{"category": "保洁", "amountFen": 1}] * 501,
    [{"category": "保洁", "amountFen": 1, "note": None}],
]
awkward = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.sampled_from([0, -1, 10**15, 10**15 + 1, -(10**15), -(10**15) - 1, 2**53, 2**53 - 1])
    | st.floats(allow_nan=False)
    | st.text()
    | st.text(alphabet=" \t\n\r\x0b\x0c\x1c\x85\u3000\x00\x7f\x1fa账", max_size=4)
    | st.sampled_from(EDGES)
    | st.sampled_from(
        [
            "",
            " ",
            "\n",
            "a\n",
            "x" * 200,
            "x" * 201,
            "账" * 2001,
            "\U0001f600" * 200,
            "2026-13",
            "2026-01\n",
            "٢٠٢٦-01",
            "2٠٢٦-01",
            "a-",
            "-a",
            "a" * 64,
            "a" * 65,
            "AB",
            "ab" * 32,
            "did:key:x",
            "did:",
            "IncomeExpense",
            "MaintenanceFund",
        ]
    )
    | st.lists(st.integers(0, 10), max_size=2)
    | st.just([{"category": "保洁", "amountFen": 1}] * 501)
    | st.just([{"category": "保洁", "amountFen": 1, "note": None}])
    | st.just({"category": "保洁", "amountFen": 1})
)


def _paths(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every member and item of a document, as a path of keys and indexes."""
    out = [at] if at else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*at, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*at, i))
    return out


def _at(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def _parsed(doc: dict[str, Any]) -> Entry | None:
    try:
        return parse_entry(doc)
    except SchemaError:
        return None


_COVERED = {"IncomeExpense", "MaintenanceFund", "CommonAreaIncome", "AccountOpened"}


def _agree(doc: dict[str, Any]) -> None:
    doc = json.loads(json.dumps(doc))  # as a JSON reader makes it
    fast, parsed = _read_disclosure(doc), _parsed(doc)
    if fast is not None or (doc.get("type") == "Disclosure" and str(doc.get("kind")) in _COVERED):
        assert fast == parsed
    # else: another entry type or kind, which `parse_entry` alone reads


def test_the_shortcut_takes_every_statement_and_new_account() -> None:
    for name, doc in DOCS.items():
        fast = _read_disclosure(doc)
        assert (fast is not None) == (name not in ("FeeStandard", "Objection"))
        assert fast is None or fast == parse_entry(doc)


def test_every_member_at_every_edge_reads_alike() -> None:
    for doc in DOCS.values():
        for path in _paths(doc):
            *parents, last = path
            for value in EDGES:
                changed = copy.deepcopy(doc)
                parent: Any = changed
                for key in parents:
                    parent = parent[key]
                parent[last] = value
                _agree(changed)
            without = copy.deepcopy(doc)  # the member missing, or one unknown beside it
            parent = without
            for key in parents:
                parent = parent[key]
            if isinstance(parent, dict):
                del parent[last]
                _agree(without)
                parent[last], parent["x"] = copy.deepcopy(_at(doc, path)), 1
                _agree(without)


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(sorted(DOCS)), st.data(), awkward, st.sampled_from(["set", "del", "add"]))
def test_one_member_changed_reads_alike(
    name: str, data: st.DataObject, value: Any, how: str
) -> None:
    doc = copy.deepcopy(DOCS[name])
    path = data.draw(st.sampled_from(_paths(doc)))
    *parents, last = path
    parent: Any = doc
    for key in parents:
        parent = parent[key]
    if how == "set":
        parent[last] = value
    elif how == "del":
        del parent[last]
    elif isinstance(parent, dict):
        parent[data.draw(st.sampled_from(["note", "x", "text", "proof", "amount_fen"]))] = value
    else:
        parent.append(value)
    _agree(doc)


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from(["IncomeExpense", "CommonAreaIncome"]),
    lines=st.lists(st.tuples(st.text(min_size=1, max_size=8), st.integers(0, 10**15)), max_size=4),
    note=st.none() | st.text(max_size=8),
    opening=st.integers(-(10**15), 10**15),
)
def test_generated_statements_read_alike(
    kind: str, lines: list[tuple[str, int]], note: str | None, opening: int
) -> None:
    make = s.income_expense if kind == "IncomeExpense" else s.common_area
    body = make(opening=opening, income=lines)
    if note is not None and body["income"]:
        body["income"][0]["note"] = note
    _agree(s.disclosure(kind, body))
