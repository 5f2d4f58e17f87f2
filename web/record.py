"""Export a ballot's record for independent verification, and the offline check of one.

Choices stay hidden while voting runs (issue 9 §7): until the box holds its BallotResult (or
BallotCancelled), every entry that carries a choice — a Vote, a PaperBallot, a ProxyMandate
with instructions — is served as `hidden_entry`: its index, its RFC 9162 leaf hash and its
type, no document. Participation stays public (how many, and the tree they make, which the
signed checkpoint covers); an owner's receipt is checked by index and leaf hash
(`web.api.receipts`), which needs no document. A leaf hash gives nothing away: it hashes
the signed document, proof included, which only its signer could rebuild from a guess.
Once the result is in the box, the record carries every entry as appended.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from contracts.anchor import AnchorContract
from contracts.chain import Chain
from identity.community import registrations
from identity.community.models import IssuedCredential
from identity.community.registry import get_community
from identity.community.trustfile import PinnedTrust
from ledger.tlog.merkle import leaf_hash
from ledger.tlog.note_keys import Ed25519Signer
from ledger.tlog.store import LogRef, LogStore
from voting.ballots import get_ballot
from voting.verify import RECORD_FORMAT, Report, verify_record

# Entries after which nothing more is cast: from then on the record shows every choice.
ENDS = frozenset({"BallotResult", "BallotCancelled"})
# Entries that are a choice whatever their fields say.
CHOICE_TYPES = frozenset({"Vote", "PaperBallot"})


def reveals_choice(doc: dict[str, Any]) -> bool:
    return doc.get("type") in CHOICE_TYPES or "choice" in doc or "choices" in doc


def hidden_entry(index: int, data: bytes, doc: dict[str, Any]) -> dict[str, Any]:
    """What the record says of a choice while voting runs: that it is there, nothing of it."""
    return {"hidden": True, "index": index, "leafHash": leaf_hash(data).hex(), "type": doc["type"]}


class RecordSource(Protocol):
    """What an export needs of the running server (`web.server.services.Services` is one): the log
    signer, the chain and its anchor contract. Named here, not imported, so that this module —
    and the offline check below — never pull in the server's wiring (checked by
    `lint-imports`)."""

    chain: Chain

    @property
    def anchor(self) -> AnchorContract: ...

    def log_signer(self, log: LogRef) -> Ed25519Signer: ...


def export_record(session: Session, services: RecordSource, ballot_id: int) -> dict[str, Any]:
    """Entries exactly as appended, the signed checkpoint, and where the head is anchored."""
    ballot = get_ballot(session, ballot_id)
    store = LogStore(session)
    log = store.get_log(ballot.log_origin)
    size = store.size(log)
    note = store.sign_checkpoint(log, services.log_signer(log))
    anchors = [a for a in services.anchor.anchored(log.log_id) if a.tree_size == size]
    raw = [e.data for e in store.iter_entries(log, 0, size)]
    docs: list[dict[str, Any]] = [json.loads(d) for d in raw]
    hide = not any(d.get("type") in ENDS for d in docs)
    entries: list[str | dict[str, Any]] = [
        hidden_entry(i, data, doc) if hide and reveals_choice(doc) else data.decode()
        for i, (data, doc) in enumerate(zip(raw, docs, strict=True))
    ]
    return {
        "format": RECORD_FORMAT,
        "origin": log.origin,
        "logId": log.log_id.hex(),
        "logKey": services.log_signer(log).vkey,
        # While open, a choice is a `hidden_entry` object among the strings; `votesHidden`
        # says so, for a verifier to report "votes hidden until close" instead of failing.
        "votesHidden": hide and any(isinstance(e, dict) for e in entries),
        "entries": entries,
        "checkpoint": note,
        # The committee's registrations, as the street office signed them: a verifier checks
        # each decision in the box against the one it names, given only the office's root.
        "registrations": registrations.documents(
            session, get_community(session, ballot.community_slug)
        ),
        # Every census voter's ownership credential, as the member signed it: a verifier checks
        # each voter's DID is one a registered member vouched for (nothing personal: DIDs,
        # unit numbers, areas).
        "credentials": _credentials(session, docs),
        "anchor": {
            "chainId": services.chain.chain_id,
            "contract": services.anchor.address,
            "treeSize": size,
            "tx": "0x" + anchors[-1].tx_hash.hex() if anchors else None,
            "block": anchors[-1].block_number if anchors else None,
        },
    }


def _credentials(session: Session, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    dids: set[str] = set()
    for doc in docs:
        if doc.get("type") == "BallotOpened":
            dids |= {str(v["did"]) for v in doc["census"]["voters"] if v.get("did")}
        elif doc.get("type") == "VoterKeyChanged":
            dids.add(str(doc.get("newDid")))
    rows = session.scalars(
        select(IssuedCredential.document)
        .where(
            IssuedCredential.kind == "ownership",
            IssuedCredential.pending.is_(False),
            IssuedCredential.subject_did.in_(dids),
        )
        .order_by(IssuedCredential.id)
    )
    return [json.loads(doc) for doc in rows]


def check_record(
    record: dict[str, Any], *, trust: PinnedTrust, anchor: AnchorContract | None
) -> Report:
    """Verify a record under pinned `trust`; `anchor` None: offline (the chain is not asked)."""
    return verify_record(
        record,
        trust=trust,
        anchored_root=anchor.root_at if anchor is not None else None,
        offline=anchor is None,
    )
