"""Checkpoints and cosignatures in ledger.tlog.store, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from ledger.tlog import merkle
from ledger.tlog.checkpoint import Checkpoint, cosign, open_checkpoint
from ledger.tlog.errors import (
    ConsistencyError,
    NoteError,
    RangeError,
    SignatureError,
    UnknownKeyError,
)
from ledger.tlog.models import LedgerBase, LogCheckpoint, LogNode
from ledger.tlog.note import Signature, split_note
from ledger.tlog.note_keys import CosignatureSigner, Ed25519Signer
from ledger.tlog.store import LogRef, LogStore
from ledger.tlog.subtrees import flat_index

ORIGIN = "gongzhi.example/c/xianxia/disclosures"
LOG_KEY = Ed25519Signer(ORIGIN, bytes(range(1, 33)))
COMMITTEE = CosignatureSigner(
    "gongzhi.example/c/xianxia/committee", bytes(range(2, 34)), clock=lambda: 1_750_000_000
)
STREET = CosignatureSigner(
    "gongzhi.example/street/xianxia", bytes(range(3, 35)), clock=lambda: 1_750_000_100
)
LEAVES = [f'{{"disclosure":{i}}}'.encode() for i in range(12)]


@pytest.fixture
def session(db_engine: Engine) -> Iterator[Session]:
    LedgerBase.metadata.create_all(db_engine)
    with Session(db_engine) as s:
        yield s


@pytest.fixture
def store(session: Session) -> LogStore:
    return LogStore(session)


@pytest.fixture
def log(store: LogStore) -> LogRef:
    return store.create_log(ORIGIN, "disclosures")


def _open(note: str, *witnesses: CosignatureSigner) -> Checkpoint:
    opened = open_checkpoint(
        note,
        origin=ORIGIN,
        log_verifier=LOG_KEY.verifier(),
        witnesses=[w.verifier() for w in witnesses],
    )
    return opened.checkpoint


def test_checkpoints_grow_with_the_log(store: LogStore, log: LogRef) -> None:
    empty = store.sign_checkpoint(log, LOG_KEY)
    assert _open(empty) == Checkpoint(ORIGIN, 0, merkle.EMPTY_ROOT)
    store.append(log, LEAVES[:5])
    five = store.sign_checkpoint(log, LOG_KEY)
    assert _open(five) == Checkpoint(ORIGIN, 5, merkle.root_hash(LEAVES[:5]))
    store.append(log, LEAVES[5:])
    twelve = store.sign_checkpoint(log, LOG_KEY)
    assert store.sign_checkpoint(log, LOG_KEY) == twelve  # nothing new: the same checkpoint
    stored = store.checkpoints(log)
    assert [c.checkpoint.size for c in stored] == [0, 5, 12]
    assert [c.note for c in stored] == [empty, five, twelve]
    latest = store.latest_checkpoint(log)
    assert latest is not None and latest.checkpoint.root == merkle.root_hash(LEAVES)


def test_sign_head_answers_the_head_it_signed(store: LogStore, log: LogRef) -> None:
    store.append(log, LEAVES[:7])
    head, note = store.sign_head(log, LOG_KEY)
    assert head == Checkpoint(ORIGIN, 7, merkle.root_hash(LEAVES[:7])) == _open(note)
    assert store.sign_head(log, LOG_KEY) == (head, note)  # nothing new: the same checkpoint
    store.append(log, LEAVES[7:])
    grown, newer = store.sign_head(log, LOG_KEY)
    assert grown.size == 12 and _open(newer) == grown
    assert [c.note for c in store.checkpoints(log)] == [note, newer]


def test_witnesses_cosign_and_the_checkpoint_shows_them(store: LogStore, log: LogRef) -> None:
    store.append(log, LEAVES)
    note = store.sign_checkpoint(log, LOG_KEY)
    for witness in (COMMITTEE, STREET):
        line = cosign(note, origin=ORIGIN, log_verifier=LOG_KEY.verifier(), cosigner=witness)
        stored = store.add_cosignature(log, 12, witness.vkey, line)
    assert [(c.witness, c.timestamp) for c in stored.cosignatures] == [
        (COMMITTEE.name, 1_750_000_000),
        (STREET.name, 1_750_000_100),
    ]
    opened = open_checkpoint(
        stored.note,
        origin=ORIGIN,
        log_verifier=LOG_KEY.verifier(),
        witnesses=[COMMITTEE.verifier(), STREET.verifier()],
    )
    assert opened.cosigners == (COMMITTEE.name, STREET.name)
    # Adding the same witness again changes nothing.
    again = cosign(note, origin=ORIGIN, log_verifier=LOG_KEY.verifier(), cosigner=COMMITTEE)
    assert store.add_cosignature(log, 12, COMMITTEE.vkey, again) == stored
    assert store.checkpoints(log)[-1] == stored


def test_bad_cosignatures_are_refused(store: LogStore, log: LogRef) -> None:
    store.append(log, LEAVES[:3])
    note = store.sign_checkpoint(log, LOG_KEY)
    line = cosign(note, origin=ORIGIN, log_verifier=LOG_KEY.verifier(), cosigner=COMMITTEE)
    with pytest.raises(NoteError, match="cosignature/v1"):
        store.add_cosignature(log, 3, LOG_KEY.vkey, line)
    with pytest.raises(RangeError):
        store.add_cosignature(log, 4, COMMITTEE.vkey, line)
    with pytest.raises(UnknownKeyError):
        store.add_cosignature(log, 3, STREET.vkey, line)
    _, sigs = split_note(note + line)
    raw = bytearray(sigs[-1].sig)
    raw[20] ^= 0x80
    forged = Signature(COMMITTEE.name, COMMITTEE.key_id, bytes(raw)).line()
    with pytest.raises(SignatureError):
        store.add_cosignature(log, 3, COMMITTEE.vkey, forged)
    with pytest.raises(NoteError):
        store.add_cosignature(log, 3, COMMITTEE.vkey, line + line)
    assert store.checkpoints(log)[0].cosignatures == ()


def test_only_the_logs_key_signs_its_checkpoints(store: LogStore, log: LogRef) -> None:
    assert store.log_key(log) is None
    with pytest.raises(UnknownKeyError, match="must be the origin"):
        store.sign_checkpoint(log, Ed25519Signer(COMMITTEE.name, bytes(range(1, 33))))
    store.sign_checkpoint(log, LOG_KEY)
    assert store.log_key(log) == LOG_KEY.vkey
    store.append(log, LEAVES[:2])
    with pytest.raises(UnknownKeyError, match="must be signed"):
        store.sign_checkpoint(log, Ed25519Signer.generate(ORIGIN))


def test_rewritten_history_is_refused_with_evidence(
    session: Session, store: LogStore, log: LogRef
) -> None:
    store.append(log, LEAVES[:8])
    note = store.sign_checkpoint(log, LOG_KEY)
    store.append(log, LEAVES[8:])
    # Someone with database access rewrites the subtree over entries 0..7.
    session.execute(
        update(LogNode)
        .where(LogNode.log_pk == log.pk, LogNode.pos == flat_index(3, 0))
        .values(hash=merkle.leaf_hash(b"forged"))
    )
    with pytest.raises(ConsistencyError) as info:
        store.sign_checkpoint(log, LOG_KEY)
    err = info.value
    assert err.older == _open(note)
    assert err.newer.size == 12 and err.newer.root != merkle.root_hash(LEAVES)
    assert err.proof == tuple(store.consistency_proof(log, 8, 12))
    assert "不延续" in str(err) and "does not extend" in str(err)
    count = session.scalar(select(func.count()).select_from(LogCheckpoint))
    assert count == 1  # nothing was signed
