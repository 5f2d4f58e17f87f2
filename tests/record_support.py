"""Ballot records built in memory, in the format the server appends: committee decisions are
the entries themselves with a proof set by registered members, the registrations the street
office signed travel with the record. Each builder step can be bent, so a test can play the
operator (re-sign with a key of its own, drop votes, name another registration …)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from identity.community.committee import (
    Member,
    Registration,
    ServerKeys,
    build_registration,
    decision_share,
    sign_registration,
    verify_registration,
    with_proofs,
)
from identity.community.trust import UnitHolding, ownership_credential
from identity.community.trustfile import PinnedTrust, write_trust
from identity.w3c.credential import sign_credential
from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.jcs import canonical
from identity.w3c.keys import KeyPair
from ledger.tlog.checkpoint import Checkpoint, sign_checkpoint
from ledger.tlog.merkle import leaf_hash, root_from_hashes
from ledger.tlog.note_keys import Ed25519Signer
from ledger.tlog.records import log_id_of
from voting.area import Area
from voting.census_rows import census_of, census_root
from voting.items import Item, evaluate_item
from voting.rules import Choice
from voting.schedule import Rules

T0 = datetime(2026, 1, 1, tzinfo=UTC)
HOST = "vote.example.cn"
COMMUNITY = "xianxia"
ORIGIN = f"{HOST}/c/{COMMUNITY}/ballots/1"
CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
CHAIN_ID = 31337


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class World:
    """The street office, two committee terms (A B C, then A D E from `change`), owners."""

    root: KeyPair = field(default_factory=lambda: KeyPair.generate(KeyType.ED25519))
    members: list[KeyPair] = field(
        default_factory=lambda: [KeyPair.generate(KeyType.ED25519) for _ in range(5)]
    )
    owners: list[KeyPair] = field(
        default_factory=lambda: [KeyPair.generate(KeyType.ED25519) for _ in range(6)]
    )
    box: Ed25519Signer = field(default_factory=lambda: Ed25519Signer.generate(ORIGIN))
    change: datetime = T0 + timedelta(days=400)
    registrations: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        a, b, c, d, e = self.members
        first = self.registration(1, [a, b, c], T0, None)
        second = self.registration(
            2, [a, d, e], self.change, verify_registration(first, self.roots).hash
        )
        self.registrations = [first, second]

    @property
    def roots(self) -> frozenset[str]:
        return frozenset({self.root.did.value})

    @property
    def trust(self) -> PinnedTrust:
        return PinnedTrust(CHAIN_ID, CONTRACT, self.roots)

    def write_trust(self, path: Path) -> Path:
        write_trust(path, self.trust)
        return path

    def registration(
        self,
        sequence: int,
        keys: Sequence[KeyPair],
        start: datetime,
        previous: str | None,
        *,
        root: KeyPair | None = None,
    ) -> dict[str, Any]:
        office = root or self.root
        unsigned = build_registration(
            root=office.did.value,
            community=COMMUNITY,
            sequence=sequence,
            previous=previous,
            members=[
                Member(k.did.value, "chair" if i == 0 else "member") for i, k in enumerate(keys)
            ],
            server=ServerKeys(
                status_issuer=KeyPair.generate(KeyType.ED25519).did.value,
                disclosure_log_key=f"{HOST}/c/{COMMUNITY}/disclosures+00000000+AQID",
            ),
            valid_from=start,
            valid_until=start + timedelta(days=365 * 5),
        )
        return sign_registration(unsigned, office, created=start)

    def reg(self, sequence: int) -> Registration:
        return verify_registration(self.registrations[sequence - 1], self.roots)

    def credentials(self) -> list[dict[str, Any]]:
        """Each owner's ownership credential for their census units, signed by member a of
        registration 1 (the census's DIDs are ones a registered member vouched for)."""
        return [
            self.credential_for(owner.did.value, row)
            for row, owner in zip(self.census(), self.owners, strict=True)
        ]

    def credential_for(self, did: str, row: dict[str, Any]) -> dict[str, Any]:
        """`did`'s ownership credential for the census row's units, by member a."""
        issuer = self.members[0]
        unsigned = ownership_credential(
            issuer=issuer.did.value,
            owner=did,
            community_id=COMMUNITY,
            units=[UnitHolding(row["units"][0], Area.parse(row["area"]).hundredths)],
            valid_from=T0 + timedelta(days=1),
        )
        return sign_credential(unsigned, issuer, created=T0 + timedelta(days=1))

    def census(self) -> list[dict[str, Any]]:
        return [
            {
                "voter": f"V{i:04d}",
                "did": k.did.value,
                "units": [f"1-{101 + i}"],
                "area": f"{80 + i}.50",
                "areas": [{"unit": f"1-{101 + i}", "area": f"{80 + i}.50", "source": "registry"}],
                "developer": False,
                "guardian": False,
            }
            for i, k in enumerate(self.owners, start=1)
        ]


Sign = Callable[[dict[str, Any]], dict[str, Any]]


def decision(
    body: dict[str, Any],
    signers: Sequence[KeyPair],
    *,
    reg: Registration,
    at: datetime,
) -> dict[str, Any]:
    """`body` as the committee decides it: naming `reg`, one proof per signer, made at `at`."""
    doc = body | {"registration": reg.hash}
    return with_proofs(doc, [decision_share(doc, k, created=at) for k in signers])


ITEMS = [
    {
        "id": "1",
        "kind": "motion",
        "matter": 5,
        "matterName": "使用建筑物及其附属设施的维修资金",
        "title": "更换电梯",
        "text": "更换1号楼电梯",
        "attachments": [],
        "amountFen": 12_000_000,
    }
]


@dataclass
class Ballot:
    """What a test bends, then `record()` builds; by default a valid, passed ballot:
    announced 15 days before voting opens, open for a week, closed with its result."""

    world: World
    opened_at: datetime = T0 + timedelta(days=30)
    closed_at: datetime = T0 + timedelta(days=37)
    choices: Sequence[str] = ("agree", "agree", "agree", "agree", "oppose", "abstain")
    entries: list[dict[str, Any]] = field(default_factory=list)

    def announced(
        self,
        signers: Sequence[KeyPair] | None = None,
        *,
        reg: Registration | None = None,
        **over: Any,
    ) -> dict[str, Any]:
        a, b, _c, _d, _e = self.world.members
        announced_at = self.opened_at - timedelta(days=15)
        body = {
            "type": "BallotAnnounced",
            "ballot": ORIGIN,
            "community": COMMUNITY,
            "title": "2026年第一次业主大会",
            "text": "就下列事项书面表决",
            "items": ITEMS,
            "rules": Rules().to_json(),
            "announcedAt": _iso(announced_at),
            "opensAt": _iso(self.opened_at),
            "closesAt": _iso(self.closed_at),
            "logKey": self.world.box.vkey,
        } | over
        return decision(
            body,
            [a, b] if signers is None else signers,
            reg=reg or self.world.reg(1),
            at=announced_at,
        )

    def opened(
        self,
        signers: Sequence[KeyPair] | None = None,
        *,
        reg: Registration | None = None,
        **over: Any,
    ) -> dict[str, Any]:
        census = self.world.census()
        a, b, _c, _d, _e = self.world.members
        body = {
            "type": "BallotOpened",
            "ballot": ORIGIN,
            "community": COMMUNITY,
            "openedAt": _iso(self.opened_at),
            "census": {
                "root": census_root(census).hex(),
                "voters": census,
                "total": census_of(census).total.to_json(),
            },
        } | over
        return decision(
            body,
            [a, b] if signers is None else signers,
            reg=reg or self.world.reg(1),
            at=self.opened_at,
        )

    def votes(self) -> list[dict[str, Any]]:
        return [
            sign_json(
                {"type": "Vote", "ballot": ORIGIN, "voter": k.did.value, "choices": {"1": c}}, k
            )
            for k, c in zip(self.world.owners, self.choices, strict=False)
        ]

    def tally(self, votes: dict[str, str]) -> list[dict[str, Any]]:
        census = census_of(self.world.census())
        return [
            {
                "id": "1",
                "kind": "motion",
                "outcome": evaluate_item(
                    Item.parse(ITEMS[0]), census, {k: Choice.parse(v) for k, v in votes.items()}
                ).to_json(),
            }
        ]

    def result(
        self,
        entries_before: int,
        votes: dict[str, str],
        *,
        signers: Sequence[KeyPair] | None = None,
        reg: Registration | None = None,
        at: datetime | None = None,
        **over: Any,
    ) -> dict[str, Any]:
        a, b, _c, _d, _e = self.world.members
        body = {
            "type": "BallotResult",
            "ballot": ORIGIN,
            "community": COMMUNITY,
            "closedAt": _iso(self.closed_at),
            "votes": len(votes),
            "boxSize": entries_before,
            "objectionsUntil": _iso(self.closed_at + timedelta(days=7)),
            "items": self.tally(votes),
        } | over
        return decision(
            body,
            [a, b] if signers is None else signers,
            reg=reg or self.world.reg(1),
            at=at or self.closed_at,
        )

    def default_entries(self) -> list[dict[str, Any]]:
        votes = self.votes()
        by_voter = {
            row["voter"]: v["choices"]["1"]
            for row, v in zip(self.world.census(), votes, strict=False)
        }
        entries = [self.announced(), self.opened(), *votes]
        return [*entries, self.result(len(entries), by_voter)]

    def record(
        self,
        entries: list[dict[str, Any]] | None = None,
        *,
        box: Ed25519Signer | None = None,
        registrations: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        docs = entries if entries is not None else self.default_entries()
        raw = [canonical(e).decode() for e in docs]
        root = root_from_hashes([leaf_hash(r.encode()) for r in raw])
        signer = box or self.world.box
        return {
            "format": "gongzhi-ballot-record/1",
            "origin": ORIGIN,
            "logId": log_id_of(ORIGIN).hex(),
            "entries": raw,
            "checkpoint": sign_checkpoint(Checkpoint(ORIGIN, len(raw), root), signer),
            "registrations": self.world.registrations if registrations is None else registrations,
            "credentials": self.world.credentials(),
            "anchor": {"chainId": CHAIN_ID, "contract": CONTRACT, "treeSize": len(raw)},
        }


def anchored(record: dict[str, Any]) -> Callable[[bytes, int], bytes | None]:
    """A chain that anchored exactly this record's root under its origin's log id."""
    raw = record["entries"]
    root = root_from_hashes([leaf_hash(r.encode()) for r in raw])
    held = {(log_id_of(record["origin"]), len(raw)): root}
    return lambda log_id, size: held.get((log_id, size))


def save(record: dict[str, Any], path: Path) -> Path:
    path.write_text(json.dumps(record), encoding="utf-8")
    return path
