"""identity.community.committee: registrations chained by the street office, decisions signed
by more than half of all registered members (a proof set, one proof per member)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

import pytest

from identity.community.committee import (
    DuplicateShare,
    Member,
    NotAMember,
    NotEnoughShares,
    Registration,
    RegistrationChain,
    RegistrationError,
    ServerKeys,
    WrongDocument,
    build_registration,
    check_decision,
    check_share,
    decision_share,
    enough,
    sign_registration,
    verify_registration,
    with_proofs,
)
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair

T0 = datetime(2026, 1, 1, tzinfo=UTC)
ROOT = KeyPair.generate(KeyType.ED25519)
OTHER_ROOT = KeyPair.generate(KeyType.ED25519)
SERVER = ServerKeys(
    status_issuer=KeyPair.generate(KeyType.ED25519).did.value,
    disclosure_log_key="example.org/c/demo/disclosures+0a1b2c3d+AQID",
)
KEYS = [KeyPair.generate(KeyType.ED25519 if i % 2 else KeyType.P256) for i in range(7)]


def members(keys: list[KeyPair]) -> list[Member]:
    return [Member(k.did.value, "chair" if i == 0 else "member") for i, k in enumerate(keys)]


def registration(
    keys: list[KeyPair],
    *,
    sequence: int = 1,
    previous: str | None = None,
    start: datetime = T0,
    years: int = 5,
    rule: Fraction = Fraction(1, 2),
    root: KeyPair = ROOT,
    community: str = "demo",
) -> dict[str, Any]:
    unsigned = build_registration(
        root=root.did.value,
        community=community,
        sequence=sequence,
        previous=previous,
        members=members(keys),
        server=SERVER,
        valid_from=start,
        valid_until=start + timedelta(days=365 * years),
        rule=rule,
    )
    return sign_registration(unsigned, root, created=start)


def verified(keys: list[KeyPair], **kw: Any) -> Registration:
    return verify_registration(registration(keys, **kw), frozenset({ROOT.did.value}))


def opened(reg: Registration, ballot: str = "example.org/c/demo/ballots/1") -> dict[str, Any]:
    return {"type": "BallotOpened", "ballot": ballot, "community": "demo", "registration": reg.hash}


def signed_by(doc: dict[str, Any], keys: list[KeyPair]) -> dict[str, Any]:
    return with_proofs(doc, [decision_share(doc, k, created=T0) for k in keys])


def test_registration_verifies_against_the_pinned_root_only() -> None:
    reg = verified(KEYS[:5])
    assert reg.sequence == 1 and reg.needed == 3 and len(reg.members) == 5
    with pytest.raises(RegistrationError, match="not a trusted root"):
        verify_registration(registration(KEYS[:5], root=OTHER_ROOT), frozenset({ROOT.did.value}))


def test_a_tampered_registration_is_refused() -> None:
    doc = registration(KEYS[:3])
    doc["credentialSubject"]["members"].append({"id": KEYS[5].did.value, "role": "member"})
    with pytest.raises(RegistrationError, match="signature"):
        verify_registration(doc, frozenset({ROOT.did.value}))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s["members"].append(dict(s["members"][1])), "listed twice"),
        (lambda s: s["members"][1].update(role="chair"), "exactly one member must be the chair"),
        (lambda s: s["members"][1].update(role="boss"), "role must be one of"),
        (lambda s: s.update(decisionRule={"numerator": 1, "denominator": 1}), "between 0 and 1"),
        (lambda s: s.update(sequence=2), "every later one must"),
        (lambda s: s.update(extra=1), "unknown fields"),
        (lambda s: s.update(witnesses=[]), "witnesses must list 1 to"),
        (lambda s: s.update(witnesses=[{"vkey": "w+1+AQ", "role": "mayor"}]), "committee or"),
        (lambda s: s.update(witnesses=[{"vkey": "no-plus", "role": "committee"}]), "note key"),
        (lambda s: s.update(witnesses=[{"vkey": "w+1+AQ", "role": "committee"}] * 2), "twice"),
    ],
)
def test_malformed_registrations_are_refused(change: Any, message: str) -> None:
    unsigned = registration(KEYS[:3])
    del unsigned["proof"]
    change(unsigned["credentialSubject"])
    with pytest.raises(RegistrationError, match=message):
        verify_registration(
            sign_registration(unsigned, ROOT, created=T0), frozenset({ROOT.did.value})
        )


@pytest.mark.parametrize(
    ("n", "rule", "needed"),
    [
        (1, Fraction(1, 2), 1),
        (4, Fraction(1, 2), 3),
        (5, Fraction(1, 2), 3),
        (6, Fraction(2, 3), 5),
    ],
)
def test_more_than_the_fraction_of_all_members(n: int, rule: Fraction, needed: int) -> None:
    reg = verified(KEYS[:n], rule=rule)
    assert reg.needed == needed
    assert enough(needed, reg) and not enough(needed - 1, reg)
    doc = opened(reg)
    assert check_decision(signed_by(doc, KEYS[:needed]), reg).signers == tuple(
        k.did.value for k in KEYS[:needed]
    )
    with pytest.raises(NotEnoughShares):
        check_decision(signed_by(doc, KEYS[: needed - 1]), reg)


def test_a_non_member_a_double_signature_and_another_document_are_refused() -> None:
    reg = verified(KEYS[:5])
    doc = opened(reg)
    with pytest.raises(NotAMember):
        check_share(doc, decision_share(doc, KEYS[6], created=T0), reg)
    twice = with_proofs(
        doc, [decision_share(doc, k, created=T0) for k in (KEYS[0], KEYS[1], KEYS[0])]
    )
    with pytest.raises(DuplicateShare):
        check_decision(twice, reg)
    other = opened(reg, ballot="example.org/c/demo/ballots/2")
    with pytest.raises(WrongDocument, match="another document"):
        check_share(doc, decision_share(other, KEYS[0], created=T0), reg)
    with pytest.raises(WrongDocument, match="not this community's"):
        check_decision(signed_by(doc, KEYS[:3]) | {"community": "elsewhere"}, reg)


def test_a_new_registration_takes_over_and_former_members_no_longer_count() -> None:
    first = registration(KEYS[:5])
    later = T0 + timedelta(days=400)
    second_doc = registration(KEYS[2:7], sequence=2, previous=verified(KEYS[:5]).hash, start=later)
    roots = frozenset({ROOT.did.value})
    chain = RegistrationChain.of([second_doc, first], roots, "demo")
    one, two = chain.registrations
    assert chain.in_force(T0 + timedelta(days=1)) == one
    assert chain.in_force(later) == two and chain.superseded_at(one) == later
    doc = opened(two)
    with pytest.raises(NotAMember):  # KEYS[0] left at the second registration
        check_share(doc, decision_share(doc, KEYS[0], created=later), two)
    with pytest.raises(WrongDocument, match="registration in force"):
        check_share(opened(one), decision_share(opened(one), KEYS[2], created=later), two)


def test_a_chain_with_a_gap_or_a_wrong_link_is_refused() -> None:
    roots = frozenset({ROOT.did.value})
    first = registration(KEYS[:3])
    unlinked = registration(KEYS[:3], sequence=2, previous="0" * 64, start=T0 + timedelta(days=9))
    with pytest.raises(RegistrationError, match="does not name registration 1"):
        RegistrationChain.of([first, unlinked], roots, "demo")
    with pytest.raises(RegistrationError, match="number 1 is missing"):
        RegistrationChain.of([unlinked], roots, "demo")
    with pytest.raises(RegistrationError, match="another community"):
        RegistrationChain.of([registration(KEYS[:3], community="other")], roots, "demo")
