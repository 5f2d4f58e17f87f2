"""Export a ballot's record for independent verification, and the offline check of one."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contracts.anchor import AnchorContract
from identity.community import registrations
from identity.community.models import IssuedCredential
from identity.community.registry import get_community
from identity.community.trustfile import PinnedTrust
from ledger.tlog.records import LogRef
from ledger.tlog.store import LogStore
from voting.ballots import get_ballot
from voting.verify import RECORD_FORMAT, Report, verify_record
from web.services import Services


def export_record(session: Session, services: Services, ballot_id: int) -> dict[str, Any]:
    """Entries exactly as appended, the signed checkpoint, and where the head is anchored."""
    ballot = get_ballot(session, ballot_id)
    store = LogStore(session)
    log = store.get_log(ballot.log_origin)
    size = store.size(log)
    note = store.sign_checkpoint(log, services.log_signer(log))
    anchors = [a for a in services.anchor.anchored(log.log_id) if a.tree_size == size]
    return {
        "format": RECORD_FORMAT,
        "origin": log.origin,
        "logId": log.log_id.hex(),
        "logKey": services.log_signer(log).vkey,
        "entries": [e.data.decode() for e in store.iter_entries(log, 0, size)],
        "checkpoint": note,
        # The committee's registrations, as the street office signed them: a verifier checks
        # each decision in the box against the one it names, given only the office's root.
        "registrations": registrations.documents(
            session, get_community(session, ballot.community_slug)
        ),
        # Every census voter's ownership credential, as the member signed it: a verifier checks
        # each voter's DID is one a registered member vouched for (nothing personal: DIDs,
        # unit numbers, areas).
        "credentials": _credentials(session, store, log),
        "anchor": {
            "chainId": services.chain.chain_id,
            "contract": services.anchor.address,
            "treeSize": size,
            "tx": "0x" + anchors[-1].tx_hash.hex() if anchors else None,
            "block": anchors[-1].block_number if anchors else None,
        },
    }


def _credentials(session: Session, store: LogStore, log: LogRef) -> list[dict[str, Any]]:
    dids: set[str] = set()
    for entry in store.iter_entries(log, 0, store.size(log)):
        doc = json.loads(entry.data)
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
