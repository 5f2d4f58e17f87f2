"""The browser's committee checks (web/pages/static/gongzhi.js) in a real Chromium against vectors
made by the Python side (identity/community/committee.py, logged_decision.py).

Every case is decided by both: Python's `verify_logged_decision` over `RegistrationChain.of`
and the browser's `verifyLoggedDecision` over `registrationChain` (or `pinnedChain`). They
must agree — accepted with the same signers, or refused for the same reason: a non-member,
a member signing twice, too few members, a proof over another document, a registration by
another root, a broken chain (gap, wrong `previous`, altered registration), a former member
after the new registration took over, and a pin the server's chain does not contain.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import pytest

from identity.community.committee import (
    DecisionError,
    DuplicateShare,
    Member,
    NotAMember,
    NotEnoughShares,
    RegistrationChain,
    RegistrationError,
    ServerKeys,
    WrongDocument,
    build_registration,
    decision_share,
    registration_hash,
    sign_registration,
    with_proofs,
)
from identity.community.logged_decision import NotInForce, verify_logged_decision
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from ledger.tlog.note_keys import Ed25519Signer
from tests.e2e.browser_support import launched_browser, live_server, run_module, wait_ready

if TYPE_CHECKING:
    from playwright.sync_api import Page

SLUG = "lianhua-vectors"
T0 = datetime(2025, 1, 1, tzinfo=UTC)
KIND = {  # Python's refusal → the browser's DecisionError.kind
    RegistrationError: "registration",
    NotAMember: "notAMember",
    DuplicateShare: "duplicate",
    NotEnoughShares: "notEnough",
    WrongDocument: "wrongDocument",
    NotInForce: "notInForce",
}


def _kind(exc: DecisionError) -> str:
    for cls in type(exc).__mro__:
        if cls in KIND:
            return KIND[cls]
    raise AssertionError(f"unmapped refusal {exc!r}")


@dataclass
class Office:
    """A street office and the committee it registers, as the vectors need them."""

    root: KeyPair = field(default_factory=lambda: KeyPair.generate(KeyType.ED25519))
    # A P-256 member (as a browser device makes) and Ed25519 members (as key files hold).
    members: list[KeyPair] = field(
        default_factory=lambda: [
            KeyPair.generate(KeyType.P256),
            KeyPair.generate(KeyType.ED25519),
            KeyPair.generate(KeyType.ED25519),
        ]
    )
    server: ServerKeys = field(
        default_factory=lambda: ServerKeys(
            KeyPair.generate(KeyType.ED25519).did.value,
            Ed25519Signer(f"example.test/c/{SLUG}/disclosures", b"\x07" * 32).vkey,
        )
    )

    def register(
        self,
        sequence: int,
        members: Sequence[KeyPair],
        *,
        start: datetime,
        previous: dict[str, Any] | None = None,
        root: KeyPair | None = None,
        rule: Fraction = Fraction(1, 2),
    ) -> dict[str, Any]:
        signer = root or self.root
        unsigned = build_registration(
            root=signer.did.value,
            community=SLUG,
            sequence=sequence,
            previous=registration_hash(previous) if previous is not None else None,
            members=[
                Member(k.did.value, "chair" if i == 0 else "member") for i, k in enumerate(members)
            ],
            server=self.server,
            valid_from=start,
            valid_until=start + timedelta(days=5 * 365),
            rule=rule,
        )
        return sign_registration(unsigned, signer, created=start)


def _opened(registration: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "BallotOpened",
        "ballot": f"example.test/c/{SLUG}/ballots/1",
        "community": SLUG,
        "title": "续聘物业（向量）",
        "logKey": Ed25519Signer(f"example.test/c/{SLUG}/ballots/1", b"\x09" * 32).vkey,
        "registration": registration_hash(registration),
    } | extra


def _signed(doc: dict[str, Any], keys: Sequence[KeyPair], at: datetime) -> dict[str, Any]:
    return with_proofs(doc, [decision_share(doc, k, created=at) for k in keys])


@dataclass
class Case:
    name: str
    registrations: list[dict[str, Any]]
    decision: dict[str, Any]
    roots: list[str]
    pin: dict[str, str] | None = None

    def python(self) -> dict[str, Any]:
        try:
            chain = RegistrationChain.of(self.registrations, frozenset(self.roots), SLUG)
            if self.pin is not None and self.pin["reg"] not in {
                r.hash for r in chain.registrations
            }:
                raise RegistrationError("pinned registration missing", "pinned missing")
            decided = verify_logged_decision(self.decision, chain)
        except DecisionError as exc:
            return {"refused": _kind(exc)}
        return {"signers": sorted(decided.signers)}


def _cases() -> list[Case]:
    office = Office()
    a, b, c = office.members
    reg1 = office.register(1, office.members, start=T0)
    later = T0 + timedelta(days=30)
    doc = _opened(reg1)
    roots = [office.root.did.value]
    stranger = KeyPair.generate(KeyType.P256)

    # 换届: member a leaves, a newcomer d joins, from day 60.
    d = KeyPair.generate(KeyType.P256)
    switch = T0 + timedelta(days=60)
    reg2 = office.register(2, [b, c, d], start=switch, previous=reg1)
    after = switch + timedelta(days=1)
    doc2 = _opened(reg2)
    other_root = KeyPair.generate(KeyType.ED25519)
    foreign1 = office.register(1, office.members, start=T0, root=other_root)

    altered = copy.deepcopy(reg1)
    altered["credentialSubject"]["members"][2]["id"] = stranger.did.value
    gap = office.register(3, [b, c, d], start=switch, previous=reg1)
    misnamed = office.register(2, [b, c, d], start=switch, previous=foreign1)
    quorum_rule = office.register(1, office.members, start=T0, rule=Fraction(2, 3))
    forged_body = _signed(doc, [a], later)
    forged_body["proof"].append(decision_share(doc | {"title": "另一项"}, b, created=later))
    return [
        Case("two of three members", [reg1], _signed(doc, [a, b], later), roots),
        Case("all three members", [reg1], _signed(doc, [a, b, c], later), roots),
        Case("one of three is too few", [reg1], _signed(doc, [a], later), roots),
        Case("a non-member", [reg1], _signed(doc, [a, stranger], later), roots),
        Case("a member signing twice", [reg1], _signed(doc, [a, a], later), roots),
        Case("a proof over another document", [reg1], forged_body, roots),
        Case("no proof at all", [reg1], doc, roots),
        Case(
            "two thirds need all three (2·3 > 2·3 is false)",
            [quorum_rule],
            _signed(_opened(quorum_rule), [a, b], later),
            roots,
        ),
        Case(
            "three of three under two thirds",
            [quorum_rule],
            _signed(_opened(quorum_rule), [a, b, c], later),
            roots,
        ),
        Case(
            "another root's registration",
            [foreign1],
            _signed(_opened(foreign1), [a, b], later),
            roots,
        ),
        Case("a registration altered after signing", [altered], _signed(doc, [a, b], later), roots),
        Case("a gap in the chain", [reg1, gap], _signed(doc, [a, b], later), roots),
        Case(
            "a link naming another registration",
            [reg1, misnamed],
            _signed(doc, [a, b], later),
            roots,
        ),
        Case("the first registration missing", [reg2], _signed(doc2, [b, c], after), roots),
        Case("the new committee after 换届", [reg1, reg2], _signed(doc2, [b, d], after), roots),
        Case(
            "the former committee after 换届",
            [reg1, reg2],
            _signed(doc, [a, b], after),
            roots,
        ),
        Case("the former committee before 换届", [reg1, reg2], _signed(doc, [a, c], later), roots),
        Case(
            "a decision for another community",
            [reg1],
            _signed(doc | {"community": "elsewhere"}, [a, b], later),
            roots,
        ),
        Case(
            "pinned registration 1, chain grew to 2",
            [reg1, reg2],
            _signed(doc2, [b, d], after),
            roots,
            {"root": office.root.did.value, "reg": registration_hash(reg1)},
        ),
        Case(
            "pinned a registration the server does not serve",
            [foreign1],
            _signed(_opened(foreign1), [a, b], later),
            [other_root.did.value],
            {"root": other_root.did.value, "reg": registration_hash(reg1)},
        ),
        Case(
            "pinned root, another root's committee",
            [foreign1],
            _signed(_opened(foreign1), [a, b], later),
            roots,
            {"root": office.root.did.value, "reg": registration_hash(reg1)},
        ),
    ]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    with (
        live_server(tmp_path_factory.mktemp("data"), demo=False) as (base, _),
        launched_browser() as browser,
    ):
        context = browser.new_context()
        p = context.new_page()
        p.goto(f"{base}/owner")
        wait_ready(p)
        yield p
        context.close()


BROWSER_CHECK = """
const out = [];
for (const c of arg) {
  try {
    const chain = c.pin
      ? await g.pinnedChain(c.registrations, c.pin, c.community)
      : await g.registrationChain(c.registrations, c.roots, c.community);
    const decided = await g.verifyLoggedDecision(c.decision, chain);
    out.push({signers: [...decided.signers].sort()});
  } catch (e) {
    out.push(e instanceof g.DecisionError ? {refused: e.kind, zh: e.zh, en: e.en}
             : {error: String(e)});
  }
}
return out;
"""


def _browser(page: Page, cases: Sequence[Case]) -> list[dict[str, Any]]:
    arg = [
        {
            "registrations": c.registrations,
            "decision": c.decision,
            "roots": c.roots,
            "pin": c.pin,
            "community": SLUG,
        }
        for c in cases
    ]
    got: list[dict[str, Any]] = run_module(page, BROWSER_CHECK, arg)
    return got


def test_browser_decides_every_vector_as_python_does(page: Page) -> None:
    cases = _cases()
    got = _browser(page, cases)
    expected = {c.name: c.python() for c in cases}
    for case, result in zip(cases, got, strict=True):
        shown = {k: v for k, v in result.items() if k in ("signers", "refused")}
        assert shown == expected[case.name], (case.name, result)
        if "refused" in result:  # a refusal says why, in both languages
            assert result["zh"] and result["en"] and result["zh"] != result["en"], result
    outcomes = {c.name: expected[c.name] for c in cases}
    # The vectors cover what the brief names, accepted and refused, not only one side.
    assert outcomes["two of three members"].keys() == {"signers"}
    assert outcomes["the new committee after 换届"].keys() == {"signers"}
    assert outcomes["pinned registration 1, chain grew to 2"].keys() == {"signers"}
    assert {o.get("refused") for o in outcomes.values()} >= {
        "registration",
        "notAMember",
        "duplicate",
        "notEnough",
        "wrongDocument",
        "notInForce",
    }


def test_refusals_are_the_ones_intended(page: Page) -> None:
    """Pin the reason of each refusal, so that agreement with Python is not agreement on
    some unrelated failure."""
    by_name = {c.name: c for c in _cases()}
    wanted: dict[str, Callable[[dict[str, Any]], bool]] = {
        "one of three is too few": lambda r: "not enough members signed: 1 of 3" in r["en"],
        "a non-member": lambda r: "is not a registered committee member" in r["en"],
        "a member signing twice": lambda r: "signed this decision twice" in r["en"],
        "a proof over another document": lambda r: "another document" in r["en"],
        "two thirds need all three (2·3 > 2·3 is false)": lambda r: "3 needed" in r["en"],
        "another root's registration": lambda r: "is not a trusted root" in r["en"],
        "a registration altered after signing": lambda r: "signature is invalid" in r["en"],
        "a gap in the chain": lambda r: "number 2 is missing" in r["en"],
        "a link naming another registration": lambda r: "does not name registration 1" in r["en"],
        "the first registration missing": lambda r: "number 1 is missing" in r["en"],
        "the former committee after 换届": lambda r: (
            "was not in force (registration 2 was)" in r["en"]
        ),
        "a decision for another community": lambda r: "not this community's" in r["en"],
        "pinned a registration the server does not serve": lambda r: (
            "pinned at enrolment" in r["en"]
        ),
        "pinned root, another root's committee": lambda r: "is not a trusted root" in r["en"],
    }
    cases = [by_name[n] for n in wanted]
    for case, result in zip(cases, _browser(page, cases), strict=True):
        assert wanted[case.name](result), (case.name, result)


def test_xsd_times_parse_as_python_does(page: Page) -> None:
    from identity.w3c.xsdtime import parse

    texts = [
        "2025-01-01T00:00:00Z",
        "2025-06-30T23:59:59.999999Z",
        "2025-06-30T23:59:59.9999999Z",
        "2025-01-01T08:00:00+08:00",
        "2024-12-31T19:30:00-04:30",
        "2024-12-31T24:00:00Z",
        "2024-02-29T12:00:00Z",
    ]
    bad = ["2025-02-29T00:00:00Z", "2025-01-01T00:00:00", "2025-13-01T00:00:00Z", "x"]
    got = run_module(
        page,
        "const ok = arg.ok.map(t => g.parseDateTime(t, 't'));"
        "const bad = arg.bad.map(t => { try { g.parseDateTime(t, 't'); return 'accepted'; }"
        " catch (e) { return e instanceof g.GongzhiError ? 'refused' : String(e); } });"
        "return {ok, bad};",
        {"ok": texts, "bad": bad},
    )
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    assert got["ok"] == [(parse(t, field="t") - epoch) // timedelta(microseconds=1) for t in texts]
    assert got["bad"] == ["refused"] * len(bad)
