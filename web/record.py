"""Export a ballot's record for independent verification, and the offline check of one."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from contracts.anchor import AnchorContract
from identity.community import registrations
from identity.community.committee import RegistrationChain, WrongDocument, check_decision
from identity.community.registry import get_community
from ledger.tlog.checkpoint import open_checkpoint
from ledger.tlog.note_keys import parse_vkey
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
        "anchor": {
            "chainId": services.chain.chain_id,
            "contract": services.anchor.address,
            "treeSize": size,
            "tx": "0x" + anchors[-1].tx_hash.hex() if anchors else None,
            "block": anchors[-1].block_number if anchors else None,
        },
    }


def decision_checker(
    credentials: Sequence[object], roots: frozenset[str], community: str
) -> Callable[[Mapping[str, Any]], str]:
    """Checks a box's committee decisions against the community's registration chain."""
    chain = RegistrationChain.of(credentials, roots, community)

    def check(entry: Mapping[str, Any]) -> str:
        registration = chain.by_hash(str(entry.get("registration", "")))
        decided = check_decision(entry, registration)
        if decided.at is not None and not registration.holds(decided.at):
            raise WrongDocument(
                "决定签署时该备案不在任期内",
                "the registration it names was not in force when the decision was signed",
            )
        superseded = chain.superseded_at(registration)
        if decided.at is not None and superseded is not None and decided.at >= superseded:
            raise WrongDocument(
                "决定签署时已有新的业委会备案",
                "a newer registration was in force when it was signed",
            )
        return f"{len(decided.signers)}/{len(registration.members)} members"

    return check


def check_record(
    record: dict[str, Any],
    *,
    anchor: AnchorContract | None,
    verify_signed: Any,
    roots: frozenset[str],
) -> Report:
    """Verify a record offline; `anchor` None means the chain could not be reached."""
    verifier = parse_vkey(record["logKey"])
    opened = json.loads(record["entries"][0])

    def _checkpoint(note: str) -> tuple[str, int, bytes]:
        opened = open_checkpoint(note, origin=record["origin"], log_verifier=verifier)
        cp = opened.checkpoint
        return cp.origin, cp.size, cp.root

    return verify_record(
        record,
        verify_signed=verify_signed,
        check_decision=decision_checker(
            record.get("registrations") or [], roots, str(opened.get("community", ""))
        ),
        verify_checkpoint=_checkpoint,
        anchored_root=anchor.root_at if anchor is not None else None,
    )
