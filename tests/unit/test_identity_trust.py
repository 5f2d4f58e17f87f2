"""identity.community.trust: the street office → committee → owner chain and gongzhi's
credentials."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from typing import Any

import pytest

from identity.community import trust
from identity.community.trust import (
    ChainCache,
    MembershipClaim,
    OwnershipClaim,
    RegistrationClaim,
    UnitHolding,
    verify_chain,
)
from identity.w3c import statuslist
from identity.w3c.contexts import GONGZHI_V1_CONTEXT, VC_V2_CONTEXT, gongzhi_context
from identity.w3c.credential import sign_credential
from identity.w3c.dataintegrity import add_proof
from identity.w3c.didkey import KeyType, resolve_verification_method
from identity.w3c.failures import Malformed, UntrustedIssuer
from identity.w3c.keys import KeyPair
from tests.identity_support import COMMUNITY, NOW, REGISTRATION_INDEX, T0, World, make_world


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


def test_ownership_claim(world: World) -> None:
    result = _chain(world, world.ownership)
    assert result.claim == OwnershipClaim(
        owner=world.owner.did.value,
        community_id=COMMUNITY,
        units=(UnitHolding("3-2-1101", 8937), UnitHolding("B1-045", 1250)),
    )
    assert isinstance(result.claim, OwnershipClaim) and result.claim.total_area == 10187
    assert result.credential.trust.registration_id == world.registration["id"]


def test_member_and_registration_claims(world: World) -> None:
    assert _chain(world, world.membership).claim == MembershipClaim(
        member=world.member.did.value, community_id=COMMUNITY, role="chair"
    )
    assert _chain(world, world.registration, chain=[]).claim == RegistrationClaim(
        committee=world.committee.did.value, community_id=COMMUNITY
    )


def test_non_gongzhi_credential_is_refused_by_verify_chain(world: World) -> None:
    with pytest.raises(Malformed):
        _chain(world, world.committee_list_credential(), trusted_roots={world.committee.did.value})


def test_no_registration_presented(world: World) -> None:
    with pytest.raises(UntrustedIssuer):
        _chain(world, world.ownership, chain=[])
    with pytest.raises(UntrustedIssuer):  # junk in the chain is ignored, not trusted
        _chain(world, world.ownership, chain=[42, {"type": "x"}, world.ownership])


def test_registration_from_an_untrusted_root(world: World) -> None:
    with pytest.raises(UntrustedIssuer):
        _chain(world, world.ownership, trusted_roots={world.committee.did.value})
    impostor = KeyPair.generate(KeyType.ED25519)
    fake = sign_credential(
        trust.registration_credential(
            root=impostor.did.value,
            committee=world.committee.did.value,
            community_id=COMMUNITY,
            valid_from=T0,
        ),
        impostor,
    )
    with pytest.raises(UntrustedIssuer):
        _chain(world, world.ownership, chain=[fake])
    # A valid registration anywhere in the chain suffices.
    assert _chain(world, world.ownership, chain=[fake, world.registration])


def test_registration_revoked_expired_or_for_another_community(world: World) -> None:
    revoked = make_world()
    statuslist.set_bit(revoked.root_bits, REGISTRATION_INDEX)
    with pytest.raises(UntrustedIssuer) as raised:
        _chain(revoked, revoked.ownership)
    assert "revoked" in str(raised.value)
    with pytest.raises(UntrustedIssuer) as raised:
        _chain(world, world.ownership, now=T0 + timedelta(days=6 * 365))
    assert "expired" in str(raised.value)
    other = sign_credential(
        trust.registration_credential(
            root=world.root.did.value,
            committee=world.committee.did.value,
            community_id="gubei-2",
            valid_from=T0,
        ),
        world.root,
    )
    with pytest.raises(UntrustedIssuer) as raised:
        _chain(world, world.ownership, chain=[other])
    assert "gubei-2" in str(raised.value)
    forged = copy.deepcopy(world.registration)
    forged["validUntil"] = "2099-01-01T00:00:00Z"
    with pytest.raises(UntrustedIssuer) as raised:
        _chain(world, world.ownership, chain=[forged])
    assert "bad_signature" in str(raised.value)


def test_root_cannot_skip_the_committee(world: World) -> None:
    direct = sign_credential(
        trust.ownership_credential(
            committee=world.root.did.value,
            owner=world.owner.did.value,
            community_id=COMMUNITY,
            units=[UnitHolding("3-2-1101", 8937)],
            valid_from=T0,
        ),
        world.root,
    )
    with pytest.raises(UntrustedIssuer):
        _chain(world, direct)


def test_cache_reuses_verified_registrations_and_rechecks_status(world: World) -> None:
    cache = ChainCache(maxsize=2)
    _chain(world, world.ownership, cache=cache)
    _chain(world, world.membership, cache=cache)
    assert len(cache) == 1
    revoked = make_world()
    statuslist.set_bit(revoked.root_bits, REGISTRATION_INDEX)
    # Same registration content (same keys, same signature): a cache hit, yet status is fresh.
    assert revoked.registration == world.registration
    with pytest.raises(UntrustedIssuer):
        _chain(revoked, revoked.ownership, cache=cache)
    forged = copy.deepcopy(world.registration)
    forged["credentialSubject"]["communityId"] = "gubei-2"
    with pytest.raises(UntrustedIssuer):
        _chain(world, world.ownership, chain=[forged], cache=cache)
    for n in range(3):
        other = sign_credential(
            trust.registration_credential(
                root=world.root.did.value,
                committee=world.committee.did.value,
                community_id=f"c-{n}",
                valid_from=T0,
            ),
            world.root,
        )
        cache.verified(
            other,
            resolve=lambda url: resolve_verification_method(url),
        )
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
        "committee": world.committee.did.value,
        "community_id": COMMUNITY,
        "valid_from": T0,
    }
    with pytest.raises(Malformed):
        trust.ownership_credential(owner=world.owner.did.value, units=[], **common)
    with pytest.raises(Malformed):
        trust.ownership_credential(owner="did:example:1", units=[UnitHolding("1-1", 1)], **common)
    with pytest.raises(Malformed):
        trust.member_credential(member=world.member.did.value, role="treasurer", **common)
    with pytest.raises(Malformed):
        trust.registration_credential(
            root=world.root.did.value,
            committee=world.committee.did.value,
            community_id="bad id",
            valid_from=T0,
        )


def test_credentials_carry_their_contexts_and_types(world: World) -> None:
    for credential, kind in (
        (world.registration, trust.REGISTRATION),
        (world.ownership, trust.OWNERSHIP),
        (world.membership, trust.MEMBER),
    ):
        assert credential["@context"] == [VC_V2_CONTEXT, GONGZHI_V1_CONTEXT]
        assert credential["type"] == ["VerifiableCredential", kind]
        assert credential["proof"]["@context"] == credential["@context"]


def test_context_file_defines_every_term_we_emit(world: World) -> None:
    context = gongzhi_context()["@context"]
    assert context["@protected"] is True and context["@version"] == 1.1
    assert context["gz"] == GONGZHI_V1_CONTEXT + "#"
    used: set[str] = set()
    for credential in (world.registration, world.ownership, world.membership):
        used.update(t for t in credential["type"] if t != "VerifiableCredential")
        subject = credential["credentialSubject"]
        used.update(k for k in subject if k != "id")
        for unit in subject.get("units", []):
            used.update(unit)
    assert used <= set(context), used - set(context)
    assert json.dumps(gongzhi_context())  # plain JSON
