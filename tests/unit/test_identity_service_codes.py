"""Enrolment codes, sign-in challenges, status list URLs and wrapped messages (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from identity.community import enrolment
from identity.community.enrolment import EnrolmentError, code_hash, new_code, normalise_code
from identity.community.issuance import IssuanceError, Issuers, check_did
from identity.community.signin import Challenges, SignInError
from identity.errors import explain
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_codes_are_grouped_crockford_and_distinct() -> None:
    codes = {new_code() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        groups = code.split("-")
        assert [len(g) for g in groups] == [5, 5, 5, 5]
        assert all(c in enrolment.ALPHABET for c in "".join(groups))
        assert normalise_code(code) == code


def test_codes_use_the_whole_alphabet() -> None:
    # 100 bits only if every one of the 32 symbols is drawn: 2,000 codes cover them all.
    seen = set("".join(new_code().replace("-", "") for _ in range(2000)))
    assert seen == set(enrolment.ALPHABET)


def test_typed_codes_are_normalised() -> None:
    code = "ABCDE-FGH1J-KMNP0-QRSTV"
    assert normalise_code(" abcde fgh1j kmnp0 qrstv ") == code
    assert normalise_code("ABCDEFGHIJKMNPOQRSTV") == code  # I→1, O→0 as Crockford reads them
    assert normalise_code("abcdefghljkmnp0qrstv") == code  # l→1
    assert code_hash(normalise_code("abcde-fgh1j-kmnp0-qrstv")) == code_hash(code)


@pytest.mark.parametrize(
    "bad",
    [None, 12345, "", "ABCDE", "ABCDE-FGH1J-KMNP0-QRSTVW", "ABCDE-FGH1J-KMNP0-QRSTU", "x" * 65],
)
def test_malformed_codes_are_refused_without_echo(bad: object) -> None:
    with pytest.raises(EnrolmentError) as caught:
        normalise_code(bad)
    message = str(caught.value)
    assert " / " in message
    if isinstance(bad, str) and len(bad) >= 5:
        assert bad not in message


def test_code_hash_is_not_the_code() -> None:
    code = new_code()
    digest = code_hash(code)
    assert len(digest) == 64 and code not in digest
    assert digest != code_hash(new_code())


def test_challenges_round_trip_and_expire() -> None:
    challenges = Challenges(b"k" * 32)
    issued = challenges.issue(NOW)
    assert issued.expires_at == NOW + timedelta(seconds=120)
    nonce, expires = challenges.check(issued.value, NOW + timedelta(seconds=119))
    assert expires == issued.expires_at and nonce in issued.value
    with pytest.raises(SignInError, match="expired"):
        challenges.check(issued.value, NOW + timedelta(seconds=120))


def test_challenges_from_another_key_or_altered_are_refused() -> None:
    issued = Challenges(b"k" * 32).issue(NOW)
    with pytest.raises(SignInError, match="not issued here"):
        Challenges(b"j" * 32).check(issued.value, NOW)
    version, nonce, expiry, mac = issued.value.split(".")
    longer = f"{version}.{nonce}.{int(expiry) + 3600}.{mac}"  # stretch its life
    with pytest.raises(SignInError, match="not issued here"):
        Challenges(b"k" * 32).check(longer, NOW)
    other_nonce = f"{version}.{nonce[:-1]}{'A' if nonce[-1] != 'A' else 'B'}.{expiry}.{mac}"
    with pytest.raises(SignInError, match="not issued here"):
        Challenges(b"k" * 32).check(other_nonce, NOW)


@pytest.mark.parametrize(
    "bad", [None, 7, "", "v1", "v2.a.1.b", "v1.a.b.c", "v1.a.1.%%%", "v1." + "a" * 300]
)
def test_malformed_challenges_are_refused(bad: object) -> None:
    with pytest.raises(SignInError, match="malformed"):
        Challenges(b"k" * 32).check(bad, NOW)


def test_short_challenge_key_is_refused() -> None:
    with pytest.raises(SignInError):
        Challenges(b"short")


def test_status_list_urls_map_back_to_their_list() -> None:
    issuers = Issuers(status=KeyPair.generate(KeyType.ED25519), base_url="https://gongzhi.test")
    url = issuers.list_url("xianxia-7")
    assert url == "https://gongzhi.test/api/communities/xianxia-7/status-list"
    assert issuers.list_key(url) == "xianxia-7"
    # Every list is signed by the server's status key (the registration's statusIssuer).
    assert issuers.list_issuer("xianxia-7") is issuers.status
    for foreign in (
        "https://evil.test/api/communities/xianxia-7/status-list",
        "https://gongzhi.test/api/communities/a/b/status-list",
        "https://gongzhi.test/api/communities//status-list",
        # The street office is offline and publishes no list here any more.
        "https://gongzhi.test/api/status-lists/street-office",
    ):
        assert issuers.list_key(foreign) is None


def test_explain_keeps_languages_apart() -> None:
    inner = IssuanceError("内层", "inner")
    assert explain("外层", "outer", inner) == ("外层：内层", "outer: inner")
    assert explain("外层", "outer", ValueError("plain")) == ("外层：plain", "outer: plain")


def test_check_did() -> None:
    key = KeyPair.generate(KeyType.P256)
    assert check_did(key.did.value) == key.did.value
    for bad in (None, "", "did:web:example.com", "did:key:zBAD", "did:key:" + "z" * 300):
        with pytest.raises(IssuanceError) as caught:
            check_did(bad)
        # The wrapped cause's halves land in the matching half: no Chinese in the English.
        assert caught.value.zh.startswith("DID") and "DID" in caught.value.en
        assert not any("\u4e00" <= c <= "\u9fff" for c in caught.value.en), caught.value.en
