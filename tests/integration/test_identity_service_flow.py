"""Enrolment, sign-in, transfer, holder change and recovery on SQLite and PostgreSQL.

Everything below runs through the identity package against a real database; the issued
credentials are then checked the way an outside verifier would: the published status list
signed by the server's status key, and the street office's registration (业委会备案) listing
the member who signed them, up to the office's root. The office's and the member's keys are
the test's own (a real server holds neither); the member signs each queued credential at
once (`Issuers.auto_sign`, as a member's device would through the API).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from identity.community import enrolment, issuance, registrations, revocation, signin, trust
from identity.community.committee import Member, ServerKeys, build_registration, sign_registration
from identity.community.enrolment import EnrolmentError
from identity.community.issuance import Issuers
from identity.community.models import (
    AuthSession,
    Community,
    EnrolmentCode,
    IdentityBase,
    IssuedCredential,
    Person,
    UsedChallenge,
)
from identity.community.pii import PiiCipher
from identity.community.register import Owner, parse_csv
from identity.community.registry import create_community, find_person, import_register
from identity.community.revocation import OwnershipChangeError
from identity.community.signin import Challenges, SignInError
from identity.community.trust import OwnershipClaim, verify_chain
from identity.w3c.credential import load_status_list, sign_credential
from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.failures import Revoked, StatusUnavailable
from identity.w3c.keys import KeyPair
from identity.w3c.statuslist import StatusList, get_bit
from web.demo.community import auto_signer

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
DOMAIN = "https://gongzhi.test"
SLUG = "xianxia-7"
REGISTER = """房号,专有部分面积,业主姓名,证件号码,手机号,表决人,开发商持有
1-1-101,89.37,甲一,110101198001010010,13800000001,是,否
1-1-102,75.00,甲一,110101198001010010,13800000001,是,否
1-1-201,100.50,乙二,110101198502020022,13800000002,是,否
1-1-201,100.50,丙三,110101198603030035,13800000003,否,否
1-1-202,60.00,丁四,110101199004040041,13800000004,,否
""".encode()


@pytest.fixture
def sessions(db_engine: Engine) -> Iterator[sessionmaker[Session]]:
    IdentityBase.metadata.create_all(db_engine)
    yield sessionmaker(db_engine, expire_on_commit=False)


OFFICE = KeyPair.from_private_bytes(KeyType.ED25519, bytes(range(1, 33)))
MEMBER = KeyPair.from_private_bytes(KeyType.P256, bytes(range(33, 65)))
STATUS = KeyPair.from_private_bytes(KeyType.ED25519, bytes(range(65, 97)))
ROOTS = frozenset({OFFICE.did.value})


@pytest.fixture
def issuers() -> Issuers:
    return Issuers(
        status=STATUS, base_url=DOMAIN, roots=ROOTS, auto_sign=auto_signer([MEMBER], ROOTS)
    )


CIPHER = PiiCipher(bytes(range(32)))


def _setup(sessions: sessionmaker[Session], issuers: Issuers) -> None:
    with sessions.begin() as s:
        community = create_community(s, slug=SLUG, name="仙霞七村", street_office="仙霞街道")
        import_register(s, community=community, register=parse_csv(REGISTER), cipher=CIPHER)
        unsigned = build_registration(
            root=OFFICE.did.value,
            community=SLUG,
            sequence=1,
            members=[Member(MEMBER.did.value, "chair")],
            server=ServerKeys(STATUS.did.value, f"gongzhi.test/c/{SLUG}/disclosures+00000000+AQID"),
            valid_from=T0 - timedelta(days=1),
            valid_until=T0 + timedelta(days=5 * 365),
        )
        signed = sign_registration(unsigned, OFFICE, created=T0 - timedelta(days=1))
        registrations.add(s, community, signed, issuers.trusted_roots)


def _community(s: Session) -> Community:
    c = s.scalar(select(Community).where(Community.slug == SLUG))
    assert c is not None
    return c


def _redemption(key: KeyPair, code: str, domain: str = DOMAIN) -> dict[str, Any]:
    return sign_json(
        {"type": "EnrolmentRedemption", "code": code, "holder": key.did.value},
        key,
        proof_purpose="authentication",
        domain=domain,
    )


def _codes(sessions: sessionmaker[Session], **kw: Any) -> dict[tuple[str, ...], str]:
    with sessions.begin() as s:
        codes = enrolment.owner_codes(s, community=_community(s), now=T0, **kw)
    return {c.units: c.code for c in codes}


def _redeem(
    sessions: sessionmaker[Session], issuers: Issuers, key: KeyPair, code: str
) -> enrolment.Redeemed:
    with sessions.begin() as s:
        return enrolment.redeem(
            s, answer=_redemption(key, code), domain=DOMAIN, issuers=issuers, now=T0
        )


def _published_lookup(s: Session, issuers: Issuers, now: datetime) -> Any:
    """An outside verifier's status lookup: the signed lists as the server publishes them."""
    lists = {}
    doc = issuance.published_list(s, list_key=SLUG, issuers=issuers, now=now)
    loaded = load_status_list(doc, now=now)
    lists[loaded.url] = loaded

    def lookup(url: str) -> StatusList:
        if url not in lists:
            raise StatusUnavailable("没有该状态列表", url)
        return lists[url]

    return lookup


def _verify(s: Session, issuers: Issuers, document: dict[str, Any], now: datetime) -> Any:
    return verify_chain(
        document,
        trusted_roots=issuers.trusted_roots,
        chain=registrations.documents(s, _community(s)),
        now=now,
        status_lookup=_published_lookup(s, issuers, now),
    )


def test_one_code_per_holder_and_one_identity_for_several_units(
    sessions: sessionmaker[Session], issuers: Issuers
) -> None:
    _setup(sessions, issuers)
    codes = _codes(sessions)
    # 甲一 holds two units, 乙二 votes for the co-owned unit, 丁四 is a sole owner unmarked.
    assert set(codes) == {("1-1-101", "1-1-102"), ("1-1-201",), ("1-1-202",)}
    with sessions.begin() as s:
        stored = list(s.scalars(select(EnrolmentCode.code_hash)))
    assert all(code not in stored for code in codes.values())  # only hashes are kept

    key = KeyPair.generate(KeyType.P256)
    redeemed = _redeem(sessions, issuers, key, codes[("1-1-101", "1-1-102")])
    assert redeemed.did == key.did.value and redeemed.kind == "owner"
    with sessions.begin() as s:
        document = issuance.document_of(redeemed.credentials[0])
        verified = _verify(s, issuers, document, T0 + timedelta(minutes=1))
        claim = verified.claim
        assert isinstance(claim, OwnershipClaim) and claim.owner == key.did.value
        assert [(u.unit_id, u.area) for u in claim.units] == [("1-1-101", 8937), ("1-1-102", 7500)]
        assert set(document["credentialSubject"]) == {"id", "communityId", "units"}
        person = find_person(
            s, community=_community(s), id_number="110101198001010010", cipher=CIPHER
        )
        assert person is not None and person.did == key.did.value


def test_a_code_works_once_and_only_for_its_signer(
    sessions: sessionmaker[Session], issuers: Issuers
) -> None:
    _setup(sessions, issuers)
    code = _codes(sessions)[("1-1-202",)]
    key = KeyPair.generate(KeyType.ED25519)
    other = KeyPair.generate(KeyType.ED25519)

    forged = sign_json(  # binds `key`'s DID but is signed by another key
        {"type": "EnrolmentRedemption", "code": code, "holder": key.did.value},
        other,
        proof_purpose="authentication",
        domain=DOMAIN,
    )
    bad_domain = _redemption(key, code, domain="https://evil.test")
    tampered = _redemption(key, code)
    tampered["code"] = new = enrolment.new_code()
    assert new != code
    for answer, reason in (
        (forged, "unknown_key"),
        (bad_domain, "proof_mismatch"),
        (tampered, "bad_signature"),
        ({**_redemption(key, code), "type": "Vote"}, "type"),
    ):
        with sessions.begin() as s, pytest.raises(EnrolmentError, match=reason):
            enrolment.redeem(s, answer=answer, domain=DOMAIN, issuers=issuers, now=T0)
    with sessions.begin() as s:
        assert s.scalar(select(func.count()).select_from(IssuedCredential)) == 0
        assert s.scalar(select(func.count()).where(Person.did.is_not(None))) == 0

    _redeem(sessions, issuers, key, code)
    with pytest.raises(EnrolmentError, match="used already"):
        _redeem(sessions, issuers, other, code)
    with pytest.raises(EnrolmentError, match="unknown"):
        _redeem(sessions, issuers, other, enrolment.new_code())


def test_expired_and_cancelled_codes(sessions: sessionmaker[Session], issuers: Issuers) -> None:
    _setup(sessions, issuers)
    first = _codes(sessions, units=["1-1-202"], valid_for=timedelta(days=1))[("1-1-202",)]
    second = _codes(sessions, units=["1-1-202"])[("1-1-202",)]  # cancels the first
    key = KeyPair.generate(KeyType.ED25519)
    with pytest.raises(EnrolmentError, match="cancelled"):
        _redeem(sessions, issuers, key, first)
    with sessions.begin() as s, pytest.raises(EnrolmentError, match="expired"):
        enrolment.redeem(
            s,
            answer=_redemption(key, second),
            domain=DOMAIN,
            issuers=issuers,
            now=T0 + timedelta(days=31),
        )
    with pytest.raises(EnrolmentError, match="no such units"):
        _codes(sessions, units=["9-9-999"])
    with pytest.raises(EnrolmentError, match="10 minutes to 90 days"):
        _codes(sessions, valid_for=timedelta(days=365))
    _redeem(sessions, issuers, key, second)
    with pytest.raises(EnrolmentError, match="enrolled already"):
        _codes(sessions, units=["1-1-202"])
    assert ("1-1-202",) not in _codes(sessions)  # the default skips enrolled holders


def _sign_in(
    sessions: sessionmaker[Session],
    issuers: Issuers,
    challenges: Challenges,
    key: KeyPair,
    *,
    now: datetime = T0,
    credentials: list[Any] | None = None,
    challenge: str | None = None,
) -> signin.SignedIn:
    value = challenge or challenges.issue(now).value
    document: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": key.did.value,
    }
    if credentials is not None:
        document["verifiableCredential"] = credentials
    vp = sign_json(document, key, proof_purpose="authentication", challenge=value, domain=DOMAIN)
    with sessions.begin() as s:
        return signin.authenticate(
            s, presentation=vp, domain=DOMAIN, challenges=challenges, issuers=issuers, now=now
        )


@pytest.mark.parametrize("kind", [KeyType.ED25519, KeyType.P256])
def test_sign_in_with_either_key_type(
    sessions: sessionmaker[Session], issuers: Issuers, kind: KeyType
) -> None:
    _setup(sessions, issuers)
    key = KeyPair.generate(kind)
    redeemed = _redeem(sessions, issuers, key, _codes(sessions)[("1-1-201",)])
    challenges = Challenges(b"c" * 32)
    presented = [issuance.document_of(redeemed.credentials[0])]
    signed = _sign_in(sessions, issuers, challenges, key, credentials=presented)
    assert signed.did == key.did.value
    assert signed.grants == (
        {"community": SLUG, "role": "owner", "units": [{"unit": "1-1-201", "area": "10050"}]},
    )
    # Without presented credentials the server uses those it issued, verified the same way.
    assert _sign_in(sessions, issuers, challenges, key).grants == signed.grants
    with sessions.begin() as s:
        token, _ = signin.open_session(s, signed_in=signed, now=T0)
        assert signin.find_session(s, token=token, now=T0 + timedelta(hours=1)) is not None
        assert signin.find_session(s, token=token, now=T0 + timedelta(hours=13)) is None
        assert signin.find_session(s, token=token + "x", now=T0) is None
        stored = s.scalar(select(AuthSession.token_hash))
        assert stored != token and stored == signin.token_hash(token)


def test_challenges_are_single_use_and_short_lived(
    sessions: sessionmaker[Session], issuers: Issuers
) -> None:
    _setup(sessions, issuers)
    key = KeyPair.generate(KeyType.P256)
    _redeem(sessions, issuers, key, _codes(sessions)[("1-1-202",)])
    challenges = Challenges(b"c" * 32)
    value = challenges.issue(T0).value
    _sign_in(sessions, issuers, challenges, key, challenge=value)
    with pytest.raises(SignInError, match="used already"):
        _sign_in(sessions, issuers, challenges, key, challenge=value)
    late = challenges.issue(T0).value
    with pytest.raises(SignInError, match="expired"):
        _sign_in(sessions, issuers, challenges, key, challenge=late, now=T0 + timedelta(minutes=3))
    with pytest.raises(SignInError, match="not issued here"):
        _sign_in(
            sessions, issuers, challenges, key, challenge=Challenges(b"d" * 32).issue(T0).value
        )


def test_sign_in_refuses_what_it_cannot_trust(
    sessions: sessionmaker[Session], issuers: Issuers
) -> None:
    _setup(sessions, issuers)
    key = KeyPair.generate(KeyType.P256)
    redeemed = _redeem(sessions, issuers, key, _codes(sessions)[("1-1-202",)])
    mine = issuance.document_of(redeemed.credentials[0])
    challenges = Challenges(b"c" * 32)
    stranger = KeyPair.generate(KeyType.ED25519)
    with pytest.raises(SignInError, match="holds no credential"):
        _sign_in(sessions, issuers, challenges, stranger)
    with pytest.raises(SignInError, match="subject is not"):
        _sign_in(sessions, issuers, challenges, stranger, credentials=[mine])
    # Someone the office never registered issues a credential (as the server could).
    rogue = KeyPair.generate(KeyType.ED25519)
    fake = sign_credential(
        trust.ownership_credential(
            issuer=rogue.did.value,
            owner=key.did.value,
            community_id=SLUG,
            units=[trust.UnitHolding("1-1-202", 6000)],
            valid_from=T0,
        ),
        rogue,
    )
    with pytest.raises(SignInError, match="untrusted_issuer"):
        _sign_in(sessions, issuers, challenges, key, credentials=[fake])
    altered = {**mine, "credentialSubject": {**mine["credentialSubject"], "id": key.did.value}}
    altered["credentialSubject"]["units"] = [{"unitId": "1-1-202", "area": "999999"}]
    with pytest.raises(SignInError, match="bad_signature"):
        _sign_in(sessions, issuers, challenges, key, credentials=[altered])
    with sessions.begin() as s:  # nothing was consumed by the failed attempts
        assert s.scalar(select(func.count()).select_from(UsedChallenge)) == 0


def test_transfer_revokes_the_sold_unit_and_reissues_the_rest(
    sessions: sessionmaker[Session], issuers: Issuers
) -> None:
    _setup(sessions, issuers)
    codes = _codes(sessions)
    seller = KeyPair.generate(KeyType.P256)
    before = _redeem(sessions, issuers, seller, codes[("1-1-101", "1-1-102")]).credentials[0]
    with sessions.begin() as s:
        change = revocation.transfer_unit(
            s,
            community=_community(s),
            unit_no="1-1-102",
            buyers=[Owner(name="戊五", id_number="110101199505050053", phone="13800000005")],
            holder=0,
            cipher=CIPHER,
            issuers=issuers,
            now=T0 + timedelta(days=1),
        )
        assert change.revoked == (before.credential_id,)
        assert len(change.issued) == 1 and change.enrolment is not None
        assert change.enrolment.units == ("1-1-102",)
        reissued = s.scalar(
            select(IssuedCredential).where(IssuedCredential.credential_id == change.issued[0])
        )
        assert reissued is not None and reissued.units == ["1-1-101"]
        assert reissued.subject_did == seller.did.value
        later = T0 + timedelta(days=1, minutes=1)
        with pytest.raises(Revoked):
            _verify(s, issuers, issuance.document_of(before), later)
        _verify(s, issuers, issuance.document_of(reissued), later)
        bits = issuance.status_bits(s, SLUG)
        assert before.status_index is not None and reissued.status_index is not None
        assert get_bit(bits, before.status_index)
        assert not get_bit(bits, reissued.status_index)
    buyer = KeyPair.generate(KeyType.ED25519)
    assert change.enrolment is not None
    bought = _redeem(sessions, issuers, buyer, change.enrolment.code).credentials[0]
    assert bought.units == ["1-1-102"]

    # The buyer of 1-1-202 is an enrolled owner already: one identity, one new credential.
    with sessions.begin() as s:
        again = revocation.transfer_unit(
            s,
            community=_community(s),
            unit_no="1-1-202",
            buyers=[Owner(name="戊五", id_number="110101199505050053", phone="")],
            holder=0,
            cipher=CIPHER,
            issuers=issuers,
            now=T0 + timedelta(days=2),
        )
        assert again.enrolment is None
        assert again.revoked == (bought.credential_id,)  # 丁四 never enrolled: only this
        new = s.scalar(
            select(IssuedCredential).where(IssuedCredential.credential_id == again.issued[0])
        )
        assert new is not None and new.units == ["1-1-102", "1-1-202"]
        assert new.subject_did == buyer.did.value
    # 丁四's code died with the sale: they hold nothing left to vote for.
    with pytest.raises(EnrolmentError, match="cancelled"):
        _redeem(sessions, issuers, KeyPair.generate(KeyType.P256), codes[("1-1-202",)])
    with sessions.begin() as s, pytest.raises(OwnershipChangeError, match="current owners"):
        revocation.transfer_unit(
            s,
            community=_community(s),
            unit_no="1-1-202",
            buyers=[Owner(name="戊五", id_number="110101199505050053", phone="")],
            holder=0,
            cipher=CIPHER,
            issuers=issuers,
            now=T0,
        )
