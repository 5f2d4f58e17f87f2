"""Export a closed ballot's election record (issue 9 §9): the ballot record of `web.record`,
with the summary an auditor reads (`voting.election.election_summary`), every anchored head
of the box and the BallotRegistry's recorded verdicts, both read from the chain.

An open ballot has no election record: its votes are hidden until close (`web.record`).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from contracts.errors import ChainError
from ledger.tlog.records import log_id_of
from voting.ballots import BallotError, get_ballot
from voting.box_state import CLOSED, FINAL, BoxState
from voting.election import ELECTION_FORMAT, election_summary
from voting.onchain import recorded_to_json
from web.record import export_record
from web.server.services import Services


def export_election(session: Session, services: Services, ballot_id: int) -> dict[str, Any]:
    """One self-contained bundle for `gongzhi verify election`; `BallotError` unless closed."""
    ballot = get_ballot(session, ballot_id)
    record = export_record(session, services, ballot_id)
    raw = [e for e in record["entries"] if isinstance(e, str)]
    if record["votesHidden"] or len(raw) != len(record["entries"]):
        raise _not_closed(ballot.status)
    state = BoxState.of_announcement(raw[0].encode())
    for data in raw[1:]:
        state.apply(data.encode())
    if state.phase not in (CLOSED, FINAL):
        raise _not_closed(ballot.status)
    entries = [json.loads(e) for e in raw]
    log_id = log_id_of(record["origin"])
    return {
        "format": ELECTION_FORMAT,
        "ballot": ballot_id,
        "origin": record["origin"],
        "status": state.phase,
        **election_summary(entries, state),
        "anchors": [
            {
                "treeSize": a.tree_size,
                "root": a.root.hex(),
                "tx": "0x" + a.tx_hash.hex(),
                "block": a.block_number,
            }
            for a in services.anchor.anchored(log_id)
        ],
        "registry": _registry(services, log_id),
        "record": record,
    }


def _registry(services: Services, log_id: bytes) -> dict[str, Any] | None:
    """The registry's address and what it recorded for this box (None if the chain is down:
    the verifier then reads it from the pinned chain, or reports it unchecked)."""
    try:
        registry = services.registry
        recorded = registry.read_result(log_id)
        return {
            "contract": registry.address,
            "recorded": recorded_to_json(recorded) if recorded is not None else None,
        }
    except ChainError:
        return None


def _not_closed(status: str) -> BallotError:
    return BallotError(
        f"表决尚未结束（{status}）：选票截止前不公开，不能导出选举记录",
        f"the ballot is not closed ({status}): its votes are hidden until close, so there is "
        "no election record yet",
    )
