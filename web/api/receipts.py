"""Proofs behind a vote receipt: is my vote in the box, and has the box only grown since?

An owner's receipt names the vote's index and the signed checkpoint of the box right after
the vote. Later, the owner's browser asks for an inclusion proof of that index in a newer
signed tree head (RFC 9162 §2.1.3) and a consistency proof from the receipt's tree to it
(RFC 9162 §2.1.4), and checks both itself (web/pages/static/gongzhi.js `checkReceipt`).

The answer also carries entry 0, the committee-signed BallotAnnounced, exactly as appended, with
its inclusion proof in the same signed tree: the browser checks the committee's signature on
it and takes the box's checkpoint key (``logKey``) from there, not from ``log_key``, which the
server merely reports.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from ledger.tlog.checkpoint import Checkpoint
from ledger.tlog.models import LogCheckpoint
from ledger.tlog.note import split_note
from ledger.tlog.store import LogRef, LogStore
from voting import ballots
from web.server.bounds import MAX_INT, IdPath
from web.server.deps import SessionDep
from web.server.error_responses import errors
from web.server.errors import ApiError

router = APIRouter(prefix="/api")


class ProofPublic(BaseModel):
    ballot_id: int
    origin: str
    log_key: str
    index: int
    tree_size: int
    checkpoint: str
    inclusion: list[str]
    since: int | None
    consistency: list[str]
    opened: str  # entry 0 (BallotAnnounced) as appended: RFC 8785 JSON signed by the committee
    opened_inclusion: list[str]  # PATH(0, D[tree_size])


def _signed_head(session: SessionDep, store: LogStore, log: LogRef, size: int | None) -> str:
    """The log-signed checkpoint note of tree `size` (the newest one when None)."""
    if size is None:
        latest = store.latest_checkpoint(log)
        if latest is None:
            raise ApiError(
                404, "投票箱尚无已签名的检查点", "the ballot box has no signed checkpoint yet"
            )
        return latest.note
    note = session.scalar(
        select(LogCheckpoint.note).where(LogCheckpoint.log_pk == log.pk, LogCheckpoint.size == size)
    )
    if note is None:
        raise ApiError(
            404,
            f"投票箱没有大小为 {size} 的已签名检查点",
            f"the ballot box has no signed checkpoint of size {size}",
        )
    return note


@router.get("/ballots/{ballot_id}/proof", response_model=ProofPublic, responses=errors(404))
def receipt_proof(
    ballot_id: IdPath,
    session: SessionDep,
    index: Annotated[int, Query(ge=0, le=MAX_INT)],
    size: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
    since: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
) -> ProofPublic:
    """Inclusion of entry `index` in the signed tree of `size` (default: the newest signed
    tree), and, when `since` is given, consistency from the tree of that size to it."""
    ballot = ballots.get_ballot(session, ballot_id)
    store = LogStore(session)
    log = store.get_log(ballot.log_origin)
    note = _signed_head(session, store, log, size)
    tree_size = Checkpoint.parse(split_note(note)[0]).size
    if index >= tree_size:
        raise ApiError(
            400,
            f"序号 {index} 不在大小为 {tree_size} 的树中",
            f"index {index} is not in a tree of size {tree_size}",
        )
    if since is not None and since > tree_size:
        raise ApiError(
            400,
            f"起始大小 {since} 大于树的大小 {tree_size}",
            f"since {since} is larger than the tree size {tree_size}",
        )
    log_key = store.log_key(log)
    if log_key is None:  # unreachable once a checkpoint exists; checked, not assumed
        raise ApiError(404, "投票箱尚无签名密钥", "the ballot box has no signing key yet")
    consistency = (
        store.consistency_proof(log, since, tree_size)
        if since is not None and since < tree_size
        else []
    )
    return ProofPublic(
        ballot_id=ballot.id,
        origin=log.origin,
        log_key=log_key,
        index=index,
        tree_size=tree_size,
        checkpoint=note,
        inclusion=[h.hex() for h in store.inclusion_proof(log, index, tree_size)],
        since=since,
        consistency=[h.hex() for h in consistency],
        opened=store.entry(log, 0).data.decode(),
        opened_inclusion=[h.hex() for h in store.inclusion_proof(log, 0, tree_size)],
    )
