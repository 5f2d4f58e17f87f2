"""Edit stored rows behind the log's back — entry data, subtree hashes, checkpoint
notes, roots and sizes, cosignatures, the log row — many times at random, on SQLite and
PostgreSQL: every edit is caught, either by the export's own database self-check or by the
offline verifier of the exported bundle. Each edit is rolled back before the next."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from contracts.anchor import AnchorContract
from contracts.chain import load_artifact
from contracts.embedded import EmbeddedChain
from ledger.disclosure.bundle_export import ChainAnchors, export_bundle
from ledger.disclosure.bundle_verify import BundleError, verify_bundle
from ledger.tlog.errors import LedgerError
from ledger.tlog.models import Log, LogCheckpoint, LogCosignature, LogEntry, LogNode
from ledger.tlog.note_keys import CosignatureSigner
from ledger.tlog.records import log_id_of
from tests import ledger_disclosure_support as s
from tests.integration.test_ledger_bundle import _build
from voting.spending import ballot_decision

TRIALS = 60
Tamper = Callable[[Session, random.Random], str]


def _flip(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1 :]


def _retype(text: str, rng: random.Random) -> str:
    at = rng.randrange(len(text))
    new = rng.choice([c for c in "ABCabc019+/=— \n" if c != text[at]])
    return text[:at] + new + text[at + 1 :]


def _pick(
    session: Session, model: type[LogEntry] | type[LogCosignature], rng: random.Random
) -> object:
    """A random row of the disclosure log (the ballot log in the same database is not the
    target: the bundle carries only two of its entries, with proofs)."""
    query = select(model)
    if model is LogEntry:
        query = query.where(LogEntry.log_pk == _disclosure_log(session))
    return rng.choice(session.scalars(query).all())


def entry_data(session: Session, rng: random.Random) -> str:
    row = _pick(session, LogEntry, rng)
    assert isinstance(row, LogEntry)
    session.execute(
        update(LogEntry)
        .where(LogEntry.log_pk == row.log_pk, LogEntry.idx == row.idx)
        .values(data=_flip(row.data, rng))
    )
    return f"entry {row.idx} data"


def entry_rewritten(session: Session, rng: random.Random) -> str:
    """A cleverer edit: still well-formed data (its leaf hash, never stored, follows it; the
    nodes still tell)."""
    row = _pick(session, LogEntry, rng)
    assert isinstance(row, LogEntry)
    data = row.data.replace(b'"', b'"', 1) + b" "
    session.execute(update(LogEntry).where(LogEntry.id == row.id).values(data=data))
    return f"entry {row.idx} rewritten"


def entries_swapped(session: Session, rng: random.Random) -> str:
    rows = session.scalars(
        select(LogEntry).where(LogEntry.log_pk == _disclosure_log(session))
    ).all()
    a, b = rng.sample(list(rows), 2)
    for row, other in ((a, b), (b, a)):
        session.execute(
            update(LogEntry)
            .where(LogEntry.log_pk == row.log_pk, LogEntry.idx == row.idx)
            .values(data=other.data)
        )
    return f"entries {a.idx} and {b.idx} swapped"


def node(session: Session, rng: random.Random) -> str:
    rows = session.scalars(select(LogNode).where(LogNode.log_pk == _disclosure_log(session))).all()
    row = rng.choice(list(rows))
    session.execute(
        update(LogNode)
        .where(LogNode.log_pk == row.log_pk, LogNode.pos == row.pos)
        .values(hash=_flip(row.hash, rng))
    )
    return f"node {row.pos}"


def _checkpoint(session: Session, rng: random.Random) -> LogCheckpoint:
    rows = session.scalars(
        select(LogCheckpoint).where(LogCheckpoint.log_pk == _disclosure_log(session))
    ).all()
    return rng.choice(list(rows))


def checkpoint_note(session: Session, rng: random.Random) -> str:
    row = _checkpoint(session, rng)
    session.execute(
        update(LogCheckpoint).where(LogCheckpoint.id == row.id).values(note=_retype(row.note, rng))
    )
    return f"checkpoint {row.size} note"


def checkpoint_root(session: Session, rng: random.Random) -> str:
    row = _checkpoint(session, rng)
    session.execute(
        update(LogCheckpoint).where(LogCheckpoint.id == row.id).values(root=_flip(row.root, rng))
    )
    return f"checkpoint {row.size} root"


def checkpoint_size(session: Session, rng: random.Random) -> str:
    row = _checkpoint(session, rng)
    old = row.size
    taken = set(
        session.scalars(
            select(LogCheckpoint.size).where(LogCheckpoint.log_pk == _disclosure_log(session))
        ).all()
    )
    new = rng.choice([n for n in range(0, 16) if n not in taken])
    session.execute(update(LogCheckpoint).where(LogCheckpoint.id == row.id).values(size=new))
    return f"checkpoint {old} size → {new}"


def cosignature_line(session: Session, rng: random.Random) -> str:
    row = _pick(session, LogCosignature, rng)
    assert isinstance(row, LogCosignature)
    name, _, sig = row.signature_line.rstrip("\n").rpartition(" ")
    line = f"{name} {_retype(sig, rng)}\n"
    session.execute(
        update(LogCosignature).where(LogCosignature.id == row.id).values(signature_line=line)
    )
    return f"cosignature {row.id} line"


def cosignature_row(session: Session, rng: random.Random) -> str:
    row = _pick(session, LogCosignature, rng)
    assert isinstance(row, LogCosignature)
    change = rng.choice(["timestamp", "witness", "vkey"])
    options: dict[str, dict[str, object]] = {
        "timestamp": {"timestamp": row.timestamp + 1},
        "witness": {"witness": "someone.else"},
        # the same witness name with another key: the signature no longer matches
        "vkey": {"vkey": CosignatureSigner(row.witness, bytes(32)).vkey},
    }
    session.execute(
        update(LogCosignature).where(LogCosignature.id == row.id).values(**options[change])
    )
    return f"cosignature {row.id} {change}"


def log_row(session: Session, rng: random.Random) -> str:
    pk = _disclosure_log(session)
    change = rng.choice(["grow", "shrink", "key"])
    if change == "key":
        values: dict[str, object] = {"vkey": s.log_signer("other.example/x").vkey}
    else:
        size = session.scalar(select(Log.size).where(Log.id == pk)) or 0
        values = {"size": size + (1 if change == "grow" else -1)}
    session.execute(update(Log).where(Log.id == pk).values(**values))
    return f"log row {change}"


def entry_deleted(session: Session, rng: random.Random) -> str:
    pk = _disclosure_log(session)
    last = session.scalar(select(Log.size).where(Log.id == pk)) or 1
    session.execute(delete(LogEntry).where(LogEntry.log_pk == pk, LogEntry.idx == last - 1))
    return f"entry {last - 1} deleted"


def _disclosure_log(session: Session) -> int:
    pk = session.scalar(select(Log.id).where(Log.origin == s.ORIGIN))
    assert pk is not None
    return pk


TAMPERINGS: list[Tamper] = [
    entry_data,
    entry_rewritten,
    entries_swapped,
    node,
    checkpoint_note,
    checkpoint_root,
    checkpoint_size,
    cosignature_line,
    cosignature_row,
    log_row,
    entry_deleted,
]


@pytest.fixture
def engine(db_engine: Engine) -> Engine:
    s.make_tables(db_engine)
    return db_engine


def _check(session: Session, contract: AnchorContract, work: Path, *, self_check: bool) -> None:
    """Export and verify; raises LedgerError (the self-check) or BundleError (the verifier)."""
    anchors = ChainAnchors(
        contract.chain.chain_id, contract.address, contract.anchored(log_id_of(s.ORIGIN))
    )
    lines = list(
        export_bundle(
            session,
            s.ORIGIN,
            chain=anchors,
            committee=[str(s.COMMITTEE.did)],
            registrations=s.REGISTRATIONS,
            roles=s.ROLE_CREDENTIALS,
            self_check=self_check,
        )
    )
    verify_bundle(
        lines, read_ballot=ballot_decision, workdir=work, trust=s.trust(contract), anchor=contract
    )


@pytest.mark.parametrize("self_check", [True, False], ids=["self-check", "verifier-alone"])
def test_random_row_edits_are_all_caught(engine: Engine, tmp_path: Path, self_check: bool) -> None:
    """With the export's self-check, and without it: the offline verifier alone catches every
    edit that reaches the bundle. Subtree hashes never reach it (the verifier recomputes the
    tree), so only the self-check can — and must — catch those."""
    tamperings = TAMPERINGS if self_check else [t for t in TAMPERINGS if t is not node]
    chain = EmbeddedChain(tmp_path / "chain")
    try:
        contract = AnchorContract(chain, chain.deploy(load_artifact("LogAnchor")))
        _build(engine, contract)
        rng = random.Random(20260101)
        caught: Counter[str] = Counter()
        with Session(engine) as session:
            _check(session, contract, tmp_path / "pristine", self_check=self_check)
            session.rollback()
            for trial in range(TRIALS):
                tamper = tamperings[trial % len(tamperings)]
                what = tamper(session, rng)
                session.flush()
                with pytest.raises(LedgerError) as error:
                    _check(session, contract, tmp_path / f"t{trial}", self_check=self_check)
                by = "verifier" if isinstance(error.value, BundleError) else "export"
                caught[by] += 1
                assert " / " in str(error.value), what  # bilingual, names the reason
                session.rollback()
                session.expire_all()
            # the rollbacks left it intact
            _check(session, contract, tmp_path / "after", self_check=self_check)
        assert sum(caught.values()) == TRIALS
        if not self_check:
            assert caught["verifier"] >= TRIALS * 2 // 3, caught
        print(
            f"\n{TRIALS} tamperings caught ({'with' if self_check else 'without'} self-check): "
            f"{dict(caught)}"
        )
    finally:
        chain.close()
