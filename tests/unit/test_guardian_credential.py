"""A guardian's ownership credential (``"guardian": true``) backs the ward's census row, and
only it: the verifier matches the mark to the row's ``guardian`` as well as units and area."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import pytest

from identity.community import trust
from identity.community.committee import RegistrationChain
from identity.community.trust import UnitHolding
from identity.w3c.credential import parse_credential, sign_credential
from identity.w3c.didkey import KeyType
from identity.w3c.failures import Malformed
from identity.w3c.keys import KeyPair
from voting.verify import RecordError, _Owners

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
MEMBER = KeyPair.from_private_bytes(KeyType.P256, bytes(range(33, 65)))
GUARDIAN = KeyPair.from_private_bytes(KeyType.ED25519, bytes(range(1, 33)))
UNITS = [UnitHolding("1-1-102", 8000), UnitHolding("1-1-103", 7000)]


@dataclass(frozen=True)
class _Registration:
    member_dids: frozenset[str]


@dataclass(frozen=True)
class _Chain:
    """The one thing `_Owners` asks of a chain: who was a member at a credential's validFrom."""

    def in_force(self, at: datetime) -> _Registration:
        return _Registration(frozenset({MEMBER.did.value}))


def _credential(*, guardian: bool) -> dict[str, Any]:
    built = trust.ownership_credential(
        issuer=MEMBER.did.value,
        owner=GUARDIAN.did.value,
        community_id="guardian-1",
        units=UNITS,
        valid_from=T0,
        credential_id="urn:uuid:00000000-0000-4000-8000-000000000001",
        guardian=guardian,
    )
    return sign_credential({k: v for k, v in built.items() if k != "proof"}, MEMBER)


def _row(*, guardian: bool) -> dict[str, Any]:
    return {"units": ["1-1-102", "1-1-103"], "area": "150.00", "guardian": guardian}


def _owners(doc: dict[str, Any]) -> _Owners:
    return _Owners([doc], cast(RegistrationChain, _Chain()))


def test_the_guardians_credential_backs_the_wards_row() -> None:
    doc = _credential(guardian=True)
    assert doc["credentialSubject"]["guardian"] is True
    claim = trust.parse_claim(parse_credential(doc))
    assert claim is not None and claim.guardian and claim.total_area == 15000
    _owners(doc).check(1, GUARDIAN.did.value, _row(guardian=True))


@pytest.mark.parametrize("held_as_guardian", [True, False])
def test_a_credential_backs_no_row_of_the_other_kind(held_as_guardian: bool) -> None:
    doc = _credential(guardian=held_as_guardian)
    with pytest.raises(RecordError) as refused:
        _owners(doc).check(1, GUARDIAN.did.value, _row(guardian=not held_as_guardian))
    assert "guardian mark" in refused.value.en and refused.value.zh


def test_an_owners_credential_has_no_guardian_mark() -> None:
    doc = _credential(guardian=False)
    assert "guardian" not in doc["credentialSubject"]
    claim = trust.parse_claim(parse_credential(doc))
    assert claim is not None and not claim.guardian


def test_a_guardian_mark_other_than_true_is_refused() -> None:
    doc = _credential(guardian=True)
    doc["credentialSubject"]["guardian"] = False
    with pytest.raises(Malformed) as refused:
        trust.parse_claim(parse_credential(doc))
    assert "guardian must be true" in refused.value.en and refused.value.zh
