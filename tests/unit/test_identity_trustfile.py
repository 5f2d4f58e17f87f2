"""identity.community.trustfile: the pinned trust a verifier is given, parsed strictly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from identity.community.trustfile import (
    PinnedTrust,
    TrustFileError,
    load_trust,
    parse_trust,
    parse_trust_bytes,
    trust_bytes,
    trust_from_link,
    trust_link,
    write_trust,
)
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair

ROOT = KeyPair.generate(KeyType.ED25519).did.value
ROOT2 = KeyPair.generate(KeyType.P256).did.value
CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3"  # anvil's first deployment


def good(**kw: Any) -> dict[str, Any]:
    return {
        "type": "GongzhiTrust",
        "version": 1,
        "chainId": 31337,
        "contract": CONTRACT,
        "roots": [ROOT],
    } | kw


def test_parses_and_round_trips(tmp_path: Path) -> None:
    trust = parse_trust(good(roots=[ROOT2, ROOT]))
    assert trust == PinnedTrust(31337, CONTRACT, frozenset({ROOT, ROOT2}))
    path = tmp_path / "trust.json"
    write_trust(path, trust)
    assert load_trust(path) == trust
    assert not (tmp_path / "trust.json.part").exists()


def test_lowercase_contract_is_checksummed() -> None:
    assert parse_trust(good(contract=CONTRACT.lower())).contract == CONTRACT


@pytest.mark.parametrize(
    ("doc", "needle"),
    [
        (good(extra=1), "unknown fields ['extra']"),
        ({k: v for k, v in good().items() if k != "roots"}, "lacks the fields ['roots']"),
        (good(type="Trust"), "type must be GongzhiTrust"),
        (good(version=2), "unsupported trust file version 2"),
        (good(version=True), "unsupported trust file version True"),
        (good(chainId=0), "chainId must be a positive integer"),
        (good(chainId=-5), "chainId must be a positive integer"),
        (good(chainId="31337"), "chainId must be a positive integer"),
        (good(chainId=True), "chainId must be a positive integer"),
        (good(chainId=1.0), "chainId must be a positive integer"),
        (good(contract="0x1234"), "contract must be a 20-byte address"),
        (good(contract=CONTRACT[2:] + "00"), "contract must be a 20-byte address"),
        (good(contract="0x" + "g" * 40), "not hex digits"),
        (good(contract=CONTRACT[:-1] + "A"), "EIP-55 checksum"),
        (good(contract=7), "contract must be a 20-byte address"),
        (good(roots=[]), "roots must list 1 to 16"),
        (good(roots=ROOT), "roots must list 1 to 16"),
        (good(roots=["did:web:example.org"]), "roots[0] is not a valid did:key"),
        (good(roots=[ROOT, 3]), "roots[1] is not a string"),
        (good(roots=[ROOT, ROOT]), "roots lists a DID twice"),
        ([good()], "not a JSON object"),
    ],
)
def test_refusals_are_bilingual(doc: object, needle: str) -> None:
    with pytest.raises(TrustFileError) as caught:
        parse_trust(doc)
    assert needle in caught.value.en
    assert caught.value.zh and any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.zh)


def test_unreadable_bytes_and_files(tmp_path: Path) -> None:
    with pytest.raises(TrustFileError, match="not UTF-8 JSON"):
        parse_trust_bytes(b"{not json")
    with pytest.raises(TrustFileError, match="not UTF-8 JSON"):
        parse_trust_bytes(b"\xff\xfe")
    with pytest.raises(TrustFileError, match="larger than"):
        parse_trust_bytes(b" " * 70_000)
    with pytest.raises(TrustFileError, match="cannot read the trust file"):
        load_trust(tmp_path / "missing.json")


def test_differences_name_each_field() -> None:
    a = parse_trust(good())
    assert a.differences(a) == []
    b = parse_trust(good(chainId=1, contract="0x" + "11" * 20, roots=[ROOT2]))
    ens = [en for _, en in a.differences(b)]
    assert len(ens) == 3
    assert "chain id 1, not 31337" in ens[0]
    assert "contract 0x1111" in ens[1]
    assert ROOT2 in ens[2] and ROOT in ens[2]


def test_a_trust_link_carries_the_very_bytes_of_the_file() -> None:
    trust = parse_trust(good(roots=[ROOT2, ROOT]))
    link = trust_link("https://gongzhi.test/ballots/3", trust)
    assert link.startswith("https://gongzhi.test/ballots/3#gongzhi-trust=")
    assert "=" not in link.split("#gongzhi-trust=")[1]  # unpadded base64url
    assert trust_from_link(link) == ("https://gongzhi.test/ballots/3", trust)
    assert parse_trust_bytes(trust_bytes(trust)) == trust
    with pytest.raises(TrustFileError):
        trust_from_link(link[:-8] + "AAAAAAAA")  # the file no longer parses
