"""identity.community.trust: the street office → registered member → owner chain and gongzhi's
credentials.

An ownership credential is trusted when its issuer is a member of the community's
registration (业委会备案) in force at the credential's ``validFrom``, that registration being
part of a chain signed by a trusted root; its status list must be signed by the
registration's ``server.statusIssuer`` (the server can revoke, never grant)."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from identity.community import trust
from identity.community.committee import (
    REGISTRATION,
    Member,
    ServerKeys,
    build_registration,
    registration_hash,
    sign_registration,
)
from identity.community.trust import ChainCache, OwnershipClaim, UnitHolding, verify_chain
from identity.w3c import statuslist
from identity.w3c.contexts import GONGZHI_V1_CONTEXT, VC_V2_CONTEXT, gongzhi_context
from identity.w3c.credential import load_status_list, sign_credential
from identity.w3c.dataintegrity import add_proof
from identity.w3c.didkey import KeyType
from identity.w3c.failures import Malformed, StatusUnavailable, UntrustedIssuer
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

LOG_KEY = "xianxia-7.example/c/xianxia-7/disclosures+abcd1234+AQID"


@pytest.fixture(scope="module")
def world() -> World:
    return make_world()


def _chain(world: World, credential: Any, **overrides: Any) -> trust.VerifiedChain:
    options: dict[str, Any] = {
        "now": NOW,
        "trusted_roots": world.roots,
        "status_lookup": world.lookup(),
        "chain": [world.registration],
    }
    options.update(overrides)
    return verify_chain(credential, **options)


def _registration(
    world: World,
    members: list[Member],
    *,
    root: KeyPair | None = None,
    community: str = COMMUNITY,
    sequence: int = 1,
    previous: dict[str, Any] | None = None,
    valid_from: datetime = T0,
    valid_until: datetime | None = None,
    status_issuer: str | None = None,
) -> dict[str, Any]:
    root = root or world.root
    unsigned = build_registration(
        root=root.did.value,
        community=community,
        sequence=sequence,
        previous=registration_hash(previous) if previous is not None else None,
        members=members,
        server=ServerKeys(status_issuer or world.status.did.value, LOG_KEY),
        valid_from=valid_from,
        valid_until=valid_until or valid_from + timedelta(days=5 * 365),
    )
    return sign_registration(unsigned, root, created=valid_from)


def _ownership(world: World, issuer: KeyPair, *, valid_from: datetime = T0) -> dict[str, Any]:
    return sign_credential(
        trust.ownership_credential(
            issuer=issuer.did.value,
            owner=world.owner.did.value,
            community_id=COMMUNITY,
            units=[UnitHolding("3-2-1101", 8937)],
            valid_from=valid_from,
            status=statuslist.status_entry(list_url=COMMITTEE_LIST, index=OWNER_INDEX),
        ),
        issuer,
        created=valid_from,
    )


def test_ownership_claim(world: World) -> None:
    result = _chain(world, world.ownership)
    assert result.claim == OwnershipClaim(
        owner=world.owner.did.value,
        community_id=COMMUNITY,
        units=(UnitHolding("3-2-1101", 8937), UnitHolding("B1-045", 1250)),
    )
    assert isinstance(result.claim, OwnershipClaim) and result.claim.total_area == 10187
    path = result.credential.trust
    assert path.registration_id == registration_hash(world.registration)
    assert path.root == world.root.did.value and path.committee == world.committee.did.value


def test_any_registered_member_may_issue(world: World) -> None:
    by_member = _ownership(world, world.member)
    assert _chain(world, by_member).credential.trust.committee == world.member.did.value


def test_a_registration_is_no_credential_to_sign_in_with(world: World) -> None:
    with pytest.raises(Malformed):
        _chain(world, world.registration, chain=[])


def test_non_gongzhi_credential_is_refused_by_verify_chain(world: World) -> None:
    with pytest.raises(Malformed):
        _chain(world, world.committee_list_credential(), trusted_roots={world.status.did.value})


def test_no_registration_presented(world: World) -> None:
    with pytest.raises(UntrustedIssuer):
        _chain(world, world.ownership, chain=[])
    with pytest.raises(UntrustedIssuer):  # junk in the chain is ignored, not trusted
        _chain(world, world.ownership, chain=[42, {"type": "x"}, world.ownership])


def test_registration_from_an_untrusted_root(world: World) -> None:
    with pytest.raises(UntrustedIssuer) as raised:
        _chain(world, world.ownership, trusted_roots={world.committee.did.value})
    assert "not a trusted root" in str(raised.value)
    impostor = KeyPair.generate(KeyType.ED25519)
    fake = _registration(world, [Member(world.committee.did.value, "chair")], root=impostor)
    with pytest.raises(UntrustedIssuer):
        _chain(world, world.ownership, chain=[fake])
    # The community's registrations are checked as one chain: a forged link spoils it.
    with pytest.raises(UntrustedIssuer):
        _chain(world, world.ownership, chain=[fake, world.registration])


def test_issuer_not_a_member_or_not_yet_or_no_longer(world: World) -> None:
    outsider = KeyPair.from_private_bytes(KeyType.ED25519, bytes(range(200, 232)))
    with pytest.raises(UntrustedIssuer) as raised:
        _chain(world, _ownership(world, outsider))
    assert "not a registered committee member" in str(raised.value)
    # The root itself cannot skip the committee.
    with pytest.raises(UntrustedIssuer):
        _chain(world, _ownership(world, world.root))
    # 换届: from `later` on, only the outsider is registered.
    later = T0 + timedelta(days=100)
    second = _registration(
        world,
        [Member(outsider.did.value, "chair")],
        sequence=2,
        previous=world.registration,
        valid_from=later,
    )
    chain = [world.registration, second]
    # Issued before the change by a member then: still trusted (in force at its validFrom).
    assert _chain(world, world.ownership, chain=chain)
    # Issued after it by the former member: refused; by the new member: trusted.
    with pytest.raises(UntrustedIssuer) as raised:
        _chain(world, _ownership(world, world.committee, valid_from=later), chain=chain)
    assert "not a registered committee member" in str(raised.value)
    assert _chain(world, _ownership(world, outsider, valid_from=later), chain=chain)


def test_no_registration_in_force_at_valid_from(world: World) -> None:
    before = _ownership(world, world.committee, valid_from=T0 - timedelta(days=1))
    with pytest.raises(UntrustedIssuer) as raised:
        _chain(world, before, now=NOW)
    assert "in force" in str(raised.value)
    after_term = T0 + timedelta(days=6 * 365)
    late = _ownership(world, world.committee, valid_from=after_term)
    with pytest.raises(UntrustedIssuer) as raised:
        _chain(world, late, now=after_term + timedelta(days=1))
    assert "in force" in str(raised.value)


def test_registration_for_another_community_or_edited(world: World) -> None:
    other = _registration(world, [Member(world.committee.did.value, "chair")], community="gubei-2")
    with pytest.raises(UntrustedIssuer) as raised:
        _chain(world, world.ownership, chain=[other])
    assert "xianxia-7" in str(raised.value)
    forged = copy.deepcopy(world.registration)
    forged["validUntil"] = "2099-01-01T00:00:00Z"
    with pytest.raises(UntrustedIssuer) as raised:
        _chain(world, world.ownership, chain=[forged])
    assert "registration is not valid" in str(raised.value)
    added = copy.deepcopy(world.registration)
    added["credentialSubject"]["members"].append({"id": world.owner.did.value, "role": "member"})
    with pytest.raises(UntrustedIssuer):
        _chain(world, _ownership(world, world.owner), chain=[added])


def test_status_list_must_be_signed_by_the_registered_status_issuer(world: World) -> None:
    # The issuing member publishes a list of its own (one that revokes nothing): refused,
    # only the registration's statusIssuer may sign the community's lists.
    unsigned = statuslist.status_list_credential(
        list_url=COMMITTEE_LIST,
        issuer=world.committee.did.value,
        purpose=statuslist.REVOCATION,
        bits=statuslist.new_bitstring(),
        valid_from=T0,
    )
    own = load_status_list(sign_credential(unsigned, world.committee, created=T0), now=NOW)

    def lookup(url: str) -> StatusList:
        if url != COMMITTEE_LIST:
            raise StatusUnavailable("没有该状态列表", f"no list {url}")
        return own

    with pytest.raises(UntrustedIssuer) as raised:
        _chain(world, world.ownership, status_lookup=lookup)
    assert world.status.did.value in str(raised.value)
    # The status key revokes: the credential is refused.
    revoked = make_world()
    statuslist.set_bit(revoked.committee_bits, OWNER_INDEX)
    with pytest.raises(Exception, match="revoked"):
        _chain(revoked, revoked.ownership)


def test_cache_reuses_verified_registrations_and_rechecks_roots(world: World) -> None:
    cache = ChainCache(maxsize=2)
    _chain(world, world.ownership, cache=cache)
    _chain(world, _ownership(world, world.member), cache=cache)
    assert len(cache) == 1  # one registration, verified once
    # A cached registration is still checked against the roots each call's caller trusts.
    with pytest.raises(UntrustedIssuer):
        _chain(world, world.ownership, trusted_roots={world.committee.did.value}, cache=cache)
    forged = copy.deepcopy(world.registration)
    forged["credentialSubject"]["communityId"] = "gubei-2"
    with pytest.raises(UntrustedIssuer):
        _chain(world, world.ownership, chain=[forged], cache=cache)
    for n in range(3):
        other = _registration(
            world, [Member(world.committee.did.value, "chair")], community=f"c-{n}"
        )
        cache.registration(other, world.roots)
    assert len(cache) == 2


def _subject_with(world: World, **extra: Any) -> dict[str, Any]:
    credential = copy.deepcopy(world.ownership)
    credential["credentialSubject"].update(extra)
    credential.pop("proof")
    return add_proof(credential, world.committee, created=T0)


@pytest.mark.parametrize(
    "extra",
    [
        {"name": "张三"},
        {"phone": "13800000000"},
        {"units": []},
        {"units": [{"unitId": "3-2-1101", "area": 89.37}]},
        {"units": [{"unitId": "3-2-1101", "area": "89.37"}]},
        {"units": [{"unitId": "3-2-1101", "area": "0"}]},
        {"units": [{"unitId": "3-2-1101", "area": "08937"}]},
        {"units": [{"unitId": "3-2-1101", "area": "8937", "owner": "张三"}]},
        {"units": [{"unitId": "3 2 1101", "area": "8937"}]},
        {"units": [{"unitId": "1-1", "area": "1"}, {"unitId": "1-1", "area": "2"}]},
        {"communityId": "小区"},
        {"id": "did:example:123"},
    ],
)
def test_ownership_subject_rules(world: World, extra: dict[str, Any]) -> None:
    with pytest.raises(Malformed):
        _chain(world, _subject_with(world, **extra))


def test_builders_refuse_bad_values(world: World) -> None:
    with pytest.raises(Malformed):
        UnitHolding("3-2-1101", 0)
    with pytest.raises(Malformed):
        UnitHolding("", 100)
    common: dict[str, Any] = {
        "issuer": world.committee.did.value,
        "community_id": COMMUNITY,
        "valid_from": T0,
    }
    with pytest.raises(Malformed):
        trust.ownership_credential(owner=world.owner.did.value, units=[], **common)
    with pytest.raises(Malformed):
        trust.ownership_credential(owner="did:example:1", units=[UnitHolding("1-1", 1)], **common)
    with pytest.raises(Malformed):
        trust.ownership_credential(
            owner=world.owner.did.value,
            units=[UnitHolding("1-1", 1)],
            **{**common, "community_id": "bad id"},
        )
    treasurer = _registration(
        world, [Member(world.committee.did.value, "chair"), Member(world.member.did.value, "x")]
    )
    with pytest.raises(UntrustedIssuer, match="role must be one of"):
        _chain(world, world.ownership, chain=[treasurer])


def test_credentials_carry_their_contexts_and_types(world: World) -> None:
    for credential, kind in (
        (world.registration, REGISTRATION),
        (world.ownership, trust.OWNERSHIP),
    ):
        assert credential["@context"] == [VC_V2_CONTEXT, GONGZHI_V1_CONTEXT]
        assert credential["type"] == ["VerifiableCredential", kind]
        assert credential["proof"]["@context"] == credential["@context"]
    assert "credentialStatus" not in world.registration  # the office is offline


def test_context_file_defines_every_term_we_emit(world: World) -> None:
    context = gongzhi_context()["@context"]
    assert context["@protected"] is True and context["@version"] == 1.1
    assert context["gz"] == GONGZHI_V1_CONTEXT + "#"
    used: set[str] = set()
    for credential in (world.registration, world.ownership):
        used.update(t for t in credential["type"] if t != "VerifiableCredential")
        subject = credential["credentialSubject"]
        used.update(k for k in subject if k not in ("id", "type"))  # JSON-LD keywords
        if isinstance(subject.get("type"), str):
            used.add(subject["type"])
        for unit in subject.get("units", []):
            used.update(unit)
    assert used <= set(context), used - set(context)
    assert json.dumps(gongzhi_context())  # plain JSON
