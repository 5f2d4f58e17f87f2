"""identity.community.vc.verify_credential: each check, in order, and the reason each failure
names."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest

from identity.community.vc import VerifiedCredential, sign_credential, verify_credential
from identity.errors import IdentityError
from identity.w3c import statuslist
from identity.w3c.credential import Check, build_credential, issue_credential, load_status_list
from identity.w3c.dataintegrity import add_proof
from identity.w3c.didkey import KeyType
from identity.w3c.failures import (
    BadSignature,
    Expired,
    Malformed,
    NotYetValid,
    Revoked,
    StatusUnavailable,
    Suspended,
    UnknownKey,
    UntrustedIssuer,
    VerificationError,
    WrongContext,
)
from identity.w3c.keys import KeyPair
from identity.w3c.statuslist import StatusList
from tests.identity_support import (
    COMMITTEE_LIST,
    COMMUNITY,
    NOW,
    OWNER_INDEX,
    T0,
    World,
    make_world,
)


@pytest.fixture(scope="module")
def world() -> World:
    return make_world()


def _verify(world: World, credential: Any, **overrides: Any) -> VerifiedCredential:
    options: dict[str, Any] = {
        "now": NOW,
        "trusted_roots": world.roots,
        "status_lookup": world.lookup(),
        "chain": [world.registration],
    }
    options.update(overrides)
    return verify_credential(credential, **options)


def _resign(world: World, credential: dict[str, Any], key: KeyPair | None = None) -> dict[str, Any]:
    """Sign a (possibly deliberately wrong) credential, skipping the builders' checks."""
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    return add_proof(unsigned, key or world.committee, created=T0)


def test_ownership_credential_verifies(world: World) -> None:
    checks: list[Check] = []
    result = _verify(world, world.ownership, on_check=checks.append)
    assert [c.step for c in checks] == ["structure", "proof", "validity", "status", "trust"]
    assert all(c.checked for c in checks)
    assert checks[1].detail.startswith(f"ecdsa-jcs-2019 by {world.committee.verification_method}")
    assert result.issuer == world.committee.did.value
    assert result.trust.root == world.root.did.value
    assert result.trust.committee == world.committee.did.value
    assert result.trust.community_id == COMMUNITY
    assert result.status[0].entry.index == OWNER_INDEX and result.status[0].checked
    assert result.subject["units"][0] == {"unitId": "3-2-1101", "area": "8937"}


def test_registration_credentials_verify(world: World) -> None:
    registration = _verify(world, world.registration, chain=[])
    assert registration.trust.committee is None and registration.trust.root == world.root.did.value


def test_ed25519_committee_world_verifies() -> None:
    ed_world = make_world(KeyType.ED25519)
    result = _verify(ed_world, ed_world.ownership)
    assert result.proof.cryptosuite == "eddsa-jcs-2022"


def test_without_status_lookup_entries_are_reported_unchecked(world: World) -> None:
    checks: list[Check] = []
    result = _verify(world, world.ownership, status_lookup=None, on_check=checks.append)
    assert not result.status[0].checked
    status = [c for c in checks if c.step == "status"]
    assert len(status) == 1 and not status[0].checked and "not checked" in status[0].detail


def test_tampered_subject_is_bad_signature(world: World) -> None:
    forged = copy.deepcopy(world.ownership)
    forged["credentialSubject"]["units"][0]["area"] = "89370"
    with pytest.raises(BadSignature):
        _verify(world, forged)


def test_signature_by_someone_other_than_the_issuer(world: World) -> None:
    claimed = copy.deepcopy(world.ownership)
    claimed["issuer"] = world.owner.did.value
    with pytest.raises(UnknownKey):
        _verify(world, _resign(world, claimed))


def test_validity_window(world: World) -> None:
    with pytest.raises(NotYetValid):
        _verify(world, world.ownership, now=T0 - timedelta(seconds=1))
    _verify(world, world.ownership, now=T0)  # validFrom is inclusive
    expiring = copy.deepcopy(world.ownership)
    expiring["validUntil"] = "2025-03-01T00:00:00+08:00"
    expiring = _resign(world, expiring)
    _verify(world, expiring, now=T0 + timedelta(days=58, hours=16))  # inclusive bound
    with pytest.raises(Expired):
        _verify(world, expiring)


def test_revoked_and_suspended(world: World) -> None:
    revoked_world = make_world()
    statuslist.set_bit(revoked_world.committee_bits, OWNER_INDEX)
    with pytest.raises(Revoked) as raised:
        _verify(revoked_world, revoked_world.ownership)
    assert raised.value.reason == "revoked"

    suspension_url = "https://xianxia-7.example/status/suspension"
    suspended = _resign(
        world,
        {
            **world.ownership,
            "credentialStatus": statuslist.status_entry(
                list_url=suspension_url, index=77, purpose=statuslist.SUSPENSION
            ),
        },
    )
    bits = statuslist.new_bitstring()
    statuslist.set_bit(bits, 77)
    suspension_list = StatusList(
        url=suspension_url, issuer=world.status.did.value, purpose="suspension", bits=bytes(bits)
    )
    with pytest.raises(Suspended) as caught:
        _verify(world, suspended, status_lookup=lambda url: suspension_list)
    assert isinstance(caught.value, Revoked)


def test_status_list_must_come_from_the_issuer(world: World) -> None:
    foreign = StatusList(
        url=COMMITTEE_LIST,
        issuer=world.owner.did.value,
        purpose="revocation",
        bits=bytes(statuslist.new_bitstring()),
    )
    with pytest.raises(UntrustedIssuer):
        _verify(world, world.ownership, status_lookup=lambda url: foreign)
    wrong_purpose = StatusList(
        url=COMMITTEE_LIST,
        issuer=world.committee.did.value,
        purpose="suspension",
        bits=bytes(statuslist.new_bitstring()),
    )
    with pytest.raises(Malformed):
        _verify(world, world.ownership, status_lookup=lambda url: wrong_purpose)


def test_unavailable_status_list(world: World) -> None:
    def nothing(url: str) -> StatusList:
        raise StatusUnavailable("没有该状态列表", f"no list {url}")

    with pytest.raises(StatusUnavailable):
        _verify(world, world.ownership, status_lookup=nothing)

    def broken(url: str) -> StatusList:
        raise IdentityError("存储不可用", "store offline")

    with pytest.raises(StatusUnavailable):
        _verify(world, world.ownership, status_lookup=broken)


@pytest.mark.parametrize(
    "contexts",
    [
        ["https://www.w3.org/2018/credentials/v1", "https://gongzhi.example/ns/v1"],
        ["https://gongzhi.example/ns/v1", "https://www.w3.org/ns/credentials/v2"],
        ["https://www.w3.org/ns/credentials/v2"],  # gongzhi terms without their context
    ],
)
def test_wrong_contexts(world: World, contexts: list[str]) -> None:
    with pytest.raises(WrongContext):
        _verify(world, _resign(world, {**world.ownership, "@context": contexts}))


def test_context_appended_after_signing_is_refused(world: World) -> None:
    extended = copy.deepcopy(world.ownership)
    extended["@context"].append("https://example.org/override/v1")
    with pytest.raises(WrongContext):
        _verify(world, extended)


@pytest.mark.parametrize(
    "change",
    [
        {"type": ["OwnershipCredential"]},
        {"issuer": 42},
        {"credentialSubject": []},
        {"validFrom": "2025-01-01"},
        {"validUntil": "2024-01-01T00:00:00Z"},
        {"id": "not a url"},
        {"credentialStatus": "revoked"},
        {"type": ["VerifiableCredential", "OwnershipCredential", "CommitteeMemberCredential"]},
        {
            "type": [
                "VerifiableCredential",
                "OwnershipCredential",
                "CommitteeRegistrationCredential",
            ]
        },
        {"type": ["VerifiableCredential", "OwnershipCredential", "CommunityRoleCredential"]},
    ],
)
def test_malformed_credentials(world: World, change: dict[str, Any]) -> None:
    with pytest.raises(Malformed):
        _verify(world, _resign(world, {**world.ownership, **change}))


def test_not_an_object_and_no_proof(world: World) -> None:
    with pytest.raises(Malformed):
        _verify(world, [world.ownership])
    with pytest.raises(Malformed):
        _verify(world, {k: v for k, v in world.ownership.items() if k != "proof"})


def test_load_status_list_checks_its_credential(world: World) -> None:
    good = world.committee_list_credential()
    assert load_status_list(good, now=NOW).issuer == world.status.did.value
    tampered = copy.deepcopy(good)
    tampered["credentialSubject"]["encodedList"] = statuslist.encode_list(
        bytes([0xFF]) * (statuslist.MIN_ENTRIES // 8)
    )
    with pytest.raises(BadSignature):
        load_status_list(tampered, now=NOW)
    with pytest.raises(NotYetValid):
        load_status_list(good, now=T0 - timedelta(days=1))
    with pytest.raises(Malformed):
        load_status_list(world.ownership, now=NOW)
    # The community's list is signed by the server's status key, not by the member who issued.
    no_id = _resign(world, {k: v for k, v in good.items() if k != "id"}, world.status)
    with pytest.raises(Malformed):
        load_status_list(no_id, now=NOW)
    short = copy.deepcopy(good)
    short["credentialSubject"]["encodedList"] = "uH4sIAAAAAAAAA2NgGAWjYBSMAgAAAP__"
    with pytest.raises(Malformed):
        load_status_list(_resign(world, short, world.status), now=NOW)


def test_issue_credential_and_root_trust() -> None:
    root = KeyPair.generate(KeyType.P256)
    credential = issue_credential(
        issuer=root,
        types=["AuditReportCredential"],
        subject={"id": "urn:example:report-1"},
        valid_from=T0,
        created=T0,
    )
    checks: list[Check] = []
    result = verify_credential(
        credential,
        now=NOW,
        trusted_roots={root.did.value},
        status_lookup=None,
        on_check=checks.append,
    )
    assert result.types == ("VerifiableCredential", "AuditReportCredential")
    assert "trusted root" in checks[-1].detail
    with pytest.raises(UntrustedIssuer):
        verify_credential(credential, now=NOW, trusted_roots=set(), status_lookup=None)


def test_sign_credential_refuses_another_issuers_credential(world: World) -> None:
    unsigned = build_credential(
        issuer=world.root.did.value, types=["X"], subject={"id": "urn:x:1"}, valid_from=T0
    )
    with pytest.raises(IdentityError):
        sign_credential(unsigned, world.committee)
    with pytest.raises(IdentityError):
        sign_credential(world.ownership, world.committee)  # already signed


def test_reasons_are_distinct() -> None:
    from identity.w3c import failures

    classes = [
        c
        for c in vars(failures).values()
        if isinstance(c, type) and issubclass(c, VerificationError)
    ]
    assert len({c.reason for c in classes}) == len(classes)
