"""Shared test data for identity/: the published vectors and a small signed community.

The community: a street office (root, Ed25519) whose registration (业委会备案) lists two
committee members — `committee` (P-256 by default, the chair, who issues) and `member` — an
owner whose ownership credential `committee` signed, and the server's status key, which
signs the community's revocation list. Keys come from fixed private bytes so every run
signs the same (Ed25519) credentials.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from identity.community import trust
from identity.community.committee import Member, ServerKeys, build_registration, sign_registration
from identity.w3c import statuslist
from identity.w3c.credential import load_status_list, sign_credential
from identity.w3c.didkey import KeyType
from identity.w3c.failures import StatusUnavailable
from identity.w3c.keys import KeyPair
from identity.w3c.statuslist import StatusList

VECTORS = Path(__file__).parent / "vectors" / "identity"


def vector_json(relative: str) -> Any:
    return json.loads((VECTORS / relative).read_text(encoding="utf-8"))


def vector_text(relative: str) -> str:
    return (VECTORS / relative).read_text(encoding="utf-8")


T0 = datetime(2025, 1, 1, tzinfo=UTC)
NOW = datetime(2025, 6, 1, 8, 30, tzinfo=UTC)
COMMUNITY = "xianxia-7"
ROOT_LIST = "https://street.example/status/registrations"
COMMITTEE_LIST = "https://xianxia-7.example/status/1"
REGISTRATION_INDEX = 4242
OWNER_INDEX = 94567
MEMBER_INDEX = 23452


@dataclass
class World:
    """A root, two registered members, an owner, the status key, credentials and lists."""

    root: KeyPair
    committee: KeyPair
    owner: KeyPair
    member: KeyPair
    status: KeyPair
    registration: dict[str, Any]
    ownership: dict[str, Any]
    root_bits: bytearray = field(default_factory=statuslist.new_bitstring)
    committee_bits: bytearray = field(default_factory=statuslist.new_bitstring)

    @property
    def roots(self) -> set[str]:
        return {self.root.did.value}

    def root_list_credential(self) -> dict[str, Any]:
        unsigned = statuslist.status_list_credential(
            list_url=ROOT_LIST,
            issuer=self.root.did.value,
            purpose=statuslist.REVOCATION,
            bits=self.root_bits,
            valid_from=T0,
        )
        return sign_credential(unsigned, self.root, created=T0)

    def committee_list_credential(self) -> dict[str, Any]:
        unsigned = statuslist.status_list_credential(
            list_url=COMMITTEE_LIST,
            issuer=self.status.did.value,
            purpose=statuslist.REVOCATION,
            bits=self.committee_bits,
            valid_from=T0,
        )
        return sign_credential(unsigned, self.status, created=T0)

    def lookup(self) -> Any:
        """A status lookup over freshly signed and verified copies of both lists."""
        lists = {
            ROOT_LIST: load_status_list(self.root_list_credential(), now=NOW),
            COMMITTEE_LIST: load_status_list(self.committee_list_credential(), now=NOW),
        }

        def status_lookup(url: str) -> StatusList:
            if url not in lists:
                raise StatusUnavailable("没有该状态列表", f"no list {url}")
            return lists[url]

        return status_lookup


def make_world(committee_kind: KeyType = KeyType.P256) -> World:
    root = KeyPair.from_private_bytes(KeyType.ED25519, bytes(range(1, 33)))
    committee = KeyPair.from_private_bytes(committee_kind, bytes(range(33, 65)))
    owner = KeyPair.from_private_bytes(KeyType.ED25519, bytes(range(65, 97)))
    member = KeyPair.from_private_bytes(KeyType.P256, bytes(range(97, 129)))
    status = KeyPair.from_private_bytes(KeyType.ED25519, bytes(range(129, 161)))
    registration = sign_registration(
        build_registration(
            root=root.did.value,
            community=COMMUNITY,
            sequence=1,
            members=[Member(committee.did.value, "chair"), Member(member.did.value, "member")],
            server=ServerKeys(
                status.did.value, "xianxia-7.example/c/xianxia-7/disclosures+abcd1234+AQID"
            ),
            valid_from=T0,
            valid_until=T0 + timedelta(days=5 * 365),
        ),
        root,
        created=T0,
    )
    ownership = sign_credential(
        trust.ownership_credential(
            issuer=committee.did.value,
            owner=owner.did.value,
            community_id=COMMUNITY,
            units=[trust.UnitHolding("3-2-1101", 8937), trust.UnitHolding("B1-045", 1250)],
            valid_from=T0,
            credential_id="urn:uuid:2c8f3b7e-6a1d-4d0e-8f5c-3e9b7a1c4d22",
            status=statuslist.status_entry(list_url=COMMITTEE_LIST, index=OWNER_INDEX),
        ),
        committee,
        created=T0,
    )
    return World(
        root=root,
        committee=committee,
        owner=owner,
        member=member,
        status=status,
        registration=registration,
        ownership=ownership,
    )
