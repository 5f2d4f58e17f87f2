"""The SQL store of transparency logs: append entries, read roots and proofs, keep checkpoints.

The hash of every complete aligned subtree on every third level is stored when it completes
(`ledger.tlog.subtrees`), so a root at any size, an inclusion proof or a consistency proof costs
O(log n) row reads in three queries, whatever the log's length (RFC 9162 §2.1). The store
works inside the caller's session and transaction and never commits: the caller's unit of
work decides.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterator, Sequence
from itertools import repeat

from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from ledger.tlog.checkpoint import Checkpoint, add_signature_lines, check_extends, sign_checkpoint
from ledger.tlog.errors import (
    EntryError,
    LedgerError,
    LogExistsError,
    LogNotFoundError,
    NoteError,
    RangeError,
    UnknownKeyError,
)
from ledger.tlog.models import Log, LogCheckpoint, LogCosignature, LogEntry, LogNode
from ledger.tlog.note import open_note, split_note
from ledger.tlog.note_keys import CosignatureVerifier, Signer, is_valid_key_name, parse_vkey
from ledger.tlog.records import (
    LogRef,
    StoredCheckpoint,
    StoredCosignature,
    StoredEntry,
    log_id_of,
)
from ledger.tlog.subtrees import (
    Coord,
    Layout,
    consistency_layout,
    flat_index,
    fold,
    frontier,
    inclusion_layout,
    is_stored,
    needed,
    new_levels,
    rebuild,
    resolve,
    root_layout,
    stored_for,
)

__all__ = [
    "LogRef",
    "LogStore",
    "StoredCheckpoint",
    "StoredCosignature",
    "StoredEntry",
    "log_id_of",
]

MAX_ORIGIN = 255
_ROWS_PER_INSERT = 200  # rows per multi-row INSERT (SQLite opens its cursors once per statement)


def _insert(connection: Connection, table: str, columns: Sequence[str], flat: list[object]) -> None:
    """Insert rows given as one flat list of values, straight through the driver.

    An append is mostly this: Core's per-row parameter handling cost more than the hashing
    and SQLite's own work together, and a multi-row ``VALUES`` saves SQLite re-running its
    statement (opening the table, its index and the foreign key's parent) for every row.
    At most 200 × 4 parameters a statement: far below either database's limit.
    """
    width = len(columns)
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    one = "(" + ", ".join([mark] * width) + ")"

    def statement(rows: int) -> str:
        return f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join([one] * rows)

    step = _ROWS_PER_INSERT * width
    full = len(flat) // step * step
    if full:
        groups = [tuple(flat[at : at + step]) for at in range(0, full, step)]
        connection.exec_driver_sql(statement(_ROWS_PER_INSERT), groups)
    if full < len(flat):
        connection.exec_driver_sql(statement((len(flat) - full) // width), tuple(flat[full:]))


class LogStore:
    """Append-only logs in one SQLAlchemy session (SQLite or PostgreSQL)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # --- logs -----------------------------------------------------------------------------

    def create_log(self, origin: str, purpose: str) -> LogRef:
        """A new empty log named by ``origin`` (e.g. ``gongzhi.example/c/xianxia/disclosures``).

        The origin is also the checkpoint origin line and the log key's name, so it must be a
        valid note key name: no spaces, no '+' (C2SP tlog-checkpoint, signed-note).
        """
        if not is_valid_key_name(origin) or len(origin) > MAX_ORIGIN:
            raise NoteError(
                f"日志来源 {origin!r} 不合法（不能为空、含空白或“+”，不超过 {MAX_ORIGIN} 字符）",
                f"invalid log origin {origin!r} (non-empty, no spaces or '+', ≤ {MAX_ORIGIN})",
            )
        if self.session.scalar(select(Log.id).where(Log.origin == origin)) is not None:
            raise LogExistsError(f"日志 {origin} 已存在", f"log {origin} already exists")
        row = Log(origin=origin, purpose=purpose, log_id=log_id_of(origin), size=0)
        self.session.add(row)
        self.session.flush()
        return LogRef(row.id, origin, row.log_id, purpose)

    def get_log(self, origin: str) -> LogRef:
        row = self.session.scalars(select(Log).where(Log.origin == origin)).one_or_none()
        if row is None:
            raise LogNotFoundError(f"没有来源为 {origin} 的日志", f"no log has origin {origin}")
        return LogRef(row.id, row.origin, row.log_id, row.purpose)

    def size(self, log: LogRef) -> int:
        size = self.session.scalar(select(Log.size).where(Log.id == log.pk))
        if size is None:
            raise LogNotFoundError(f"日志 {log.origin} 不存在", f"log {log.origin} does not exist")
        return size

    def lock(self, log: LogRef) -> None:
        """Hold the log's row until the transaction ends (``SELECT … FOR UPDATE``), so a writer
        reads what it decides on and appends with no other process's append in between.
        (SQLite renders no lock: it has one writer at a time anyway.)"""
        self.session.execute(select(Log.id).where(Log.id == log.pk).with_for_update())

    # --- appending ------------------------------------------------------------------------

    def append(self, log: LogRef, entries: Sequence[bytes]) -> int:
        """Append ``entries`` (opaque bytes, e.g. RFC 8785 JSON) in order; return the first index.

        The first statement bumps the log's size (``UPDATE … RETURNING``): on PostgreSQL that
        takes the log row's lock, on SQLite the database write lock, so racing appends to one
        log queue up instead of both reading the same size. The (log, idx) primary key would
        refuse a duplicate index even if they did not.
        """
        if not entries:
            return self.size(log)
        for i, data in enumerate(entries):
            if not isinstance(data, bytes):
                raise EntryError(
                    f"第 {i} 条不是字节串（应为规范化 JSON 字节）",
                    f"entry {i} of the batch is {type(data).__name__}, not bytes",
                )
        bumped = self.session.execute(
            update(Log)
            .where(Log.id == log.pk)
            .values(size=Log.size + len(entries))
            .returning(Log.size)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
        if bumped is None:
            raise LogNotFoundError(f"日志 {log.origin} 不存在", f"log {log.origin} does not exist")
        first = bumped - len(entries)
        sha = hashlib.sha256  # leaf_hash, inlined: this is the per-entry cost of an append
        hashes = [sha(b"\x00" + data).digest() for data in entries]
        known = self._fetch(log, set(frontier(first, bumped)))
        n = len(entries)
        flat: list[object] = [None] * (4 * n)  # log_pk, idx, leaf_hash, data, row after row
        flat[0::4] = repeat(log.pk, n)
        flat[1::4] = range(first, bumped)
        flat[2::4] = hashes
        flat[3::4] = entries
        connection = self.session.connection()
        _insert(connection, LogEntry.__tablename__, ("log_pk", "idx", "leaf_hash", "data"), flat)
        for level, lo, row in new_levels(first, hashes, known):
            if is_stored(level):
                k = len(row)
                flat = [None] * (3 * k)
                flat[0::3] = repeat(log.pk, k)
                flat[1::3] = range(flat_index(level, lo), flat_index(level, lo + k), 2 << level)
                flat[2::3] = row
                _insert(connection, LogNode.__tablename__, ("log_pk", "pos", "hash"), flat)
        return first

    # --- reading --------------------------------------------------------------------------

    def entry(self, log: LogRef, index: int) -> StoredEntry:
        row = self.session.execute(
            select(LogEntry.data, LogEntry.leaf_hash).where(
                LogEntry.log_pk == log.pk, LogEntry.idx == index
            )
        ).one_or_none()
        if row is None:
            raise RangeError(
                f"日志 {log.origin} 没有第 {index} 条", f"log {log.origin} has no entry {index}"
            )
        return StoredEntry(index, row.data, row.leaf_hash)

    def iter_entries(
        self, log: LogRef, start: int = 0, end: int | None = None, *, chunk: int = 1000
    ) -> Iterator[StoredEntry]:
        """Entries [start, end) in order, read ``chunk`` rows at a time (keyset pages).

        The range is checked at once, before the first entry is asked for.
        """
        end = self._check_size(log, end)
        if not 0 <= start <= end:
            raise RangeError(f"起点 {start} 不合法", f"invalid start {start} (end {end})")
        return self._pages(log, start, end, chunk)

    def _pages(self, log: LogRef, at: int, end: int, chunk: int) -> Iterator[StoredEntry]:
        while at < end:
            rows = self.session.execute(
                select(LogEntry.idx, LogEntry.data, LogEntry.leaf_hash)
                .where(LogEntry.log_pk == log.pk, LogEntry.idx >= at, LogEntry.idx < end)
                .order_by(LogEntry.idx)
                .limit(chunk)
            ).all()
            if not rows:
                raise LedgerError(
                    f"日志 {log.origin} 缺少第 {at} 条", f"log store is missing entry {at}"
                )
            for row in rows:
                yield StoredEntry(row.idx, row.data, row.leaf_hash)
            at = rows[-1].idx + 1

    def root(self, log: LogRef, size: int | None = None) -> bytes:
        """MTH(D[size]) (RFC 9162 §2.1.1) for any size up to the current one."""
        size = self._check_size(log, size)
        layout = [root_layout(size)]
        return fold(resolve(layout, self._fetch(log, needed(layout))))

    def inclusion_proof(self, log: LogRef, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[size])  (RFC 9162 §2.1.3.1)."""
        size = self._check_size(log, size)
        return self._proof(log, inclusion_layout(index, size))

    def consistency_proof(self, log: LogRef, old: int, new: int | None = None) -> list[bytes]:
        """PROOF(old, D[new])  (RFC 9162 §2.1.4.1)."""
        new = self._check_size(log, new)
        return self._proof(log, consistency_layout(old, new))

    def checkpoint(self, log: LogRef, size: int | None = None) -> Checkpoint:
        """The (unsigned) tree head at ``size``, the current one by default."""
        size = self._check_size(log, size)
        return Checkpoint(log.origin, size, self.root(log, size))

    # --- checkpoints ----------------------------------------------------------------------

    def sign_checkpoint(self, log: LogRef, signer: Signer) -> str:
        """Sign and store the checkpoint of the current tree; return its signed note.

        Refuses a checkpoint that does not extend the last stored one (`ConsistencyError`,
        with both heads and the proof): the stored tree would then have been rewritten.
        Refuses a signer other than the log's key (fixed by its first checkpoint).
        """
        if signer.name != log.origin:
            raise UnknownKeyError(
                f"日志密钥名 {signer.name!r} 应与来源 {log.origin!r} 相同",
                f"the log key's name {signer.name!r} must be the origin {log.origin!r}",
            )
        row = self.session.get_one(Log, log.pk)
        if row.vkey is None:
            row.vkey = signer.vkey
        elif row.vkey != signer.vkey:
            raise UnknownKeyError(
                f"日志 {log.origin} 的检查点须由 {row.vkey.split('+')[0]} 的密钥签名",
                f"checkpoints of log {log.origin} must be signed by its key {row.vkey}",
            )
        current = self.checkpoint(log)
        last = self._last_checkpoint(log)
        if last is not None:
            older = Checkpoint(log.origin, last.size, last.root)
            proof = (
                self.consistency_proof(log, last.size, current.size)
                if 0 < last.size < current.size
                else []
            )
            check_extends(older, current, proof)
            if last.size == current.size:
                return last.note
        note = sign_checkpoint(current, signer)
        self.session.add(
            LogCheckpoint(log_pk=log.pk, size=current.size, root=current.root, note=note)
        )
        self.session.flush()
        return note

    def log_key(self, log: LogRef) -> str | None:
        """The vkey that signs this log's checkpoints (None before the first checkpoint)."""
        return self.session.scalar(select(Log.vkey).where(Log.id == log.pk))

    def add_cosignature(
        self, log: LogRef, checkpoint_size: int, cosigner_vkey: str, signature_line: str
    ) -> StoredCheckpoint:
        """Verify a witness's cosignature/v1 line on a stored checkpoint, then keep it.

        A second cosignature by the same witness on the same checkpoint is ignored.
        """
        verifier = parse_vkey(cosigner_vkey)
        if not isinstance(verifier, CosignatureVerifier):
            raise NoteError(
                "见证人密钥必须是 cosignature/v1 类型（0x04）",
                "a witness key must be of type cosignature/v1 (0x04)",
            )
        row = self.session.scalars(
            select(LogCheckpoint).where(
                LogCheckpoint.log_pk == log.pk, LogCheckpoint.size == checkpoint_size
            )
        ).one_or_none()
        if row is None:
            raise RangeError(
                f"日志 {log.origin} 没有大小为 {checkpoint_size} 的检查点",
                f"log {log.origin} has no checkpoint of size {checkpoint_size}",
            )
        text, _ = split_note(row.note)
        line = signature_line if signature_line.endswith("\n") else signature_line + "\n"
        _, parsed = split_note(text + "\n" + line)
        if len(parsed) != 1:
            raise NoteError("只能提交一行联署签名", "submit exactly one cosignature line")
        note = open_note(text + "\n" + line, [verifier])
        exists = self.session.scalar(
            select(LogCosignature.id).where(
                LogCosignature.checkpoint_id == row.id, LogCosignature.vkey == verifier.vkey
            )
        )
        if exists is None:
            self.session.add(
                LogCosignature(
                    checkpoint_id=row.id,
                    witness=verifier.name,
                    vkey=verifier.vkey,
                    timestamp=CosignatureVerifier.timestamp_of(note.sigs[0].sig),
                    signature_line=line,
                )
            )
            self.session.flush()
        return self._stored(log, row)

    def checkpoints(self, log: LogRef) -> list[StoredCheckpoint]:
        """Every stored checkpoint, oldest first, each note with its cosignature lines."""
        rows = self.session.scalars(
            select(LogCheckpoint).where(LogCheckpoint.log_pk == log.pk).order_by(LogCheckpoint.size)
        ).all()
        return [self._stored(log, row) for row in rows]

    def latest_checkpoint(self, log: LogRef) -> StoredCheckpoint | None:
        row = self._last_checkpoint(log)
        return None if row is None else self._stored(log, row)

    # --- internals ------------------------------------------------------------------------

    def _last_checkpoint(self, log: LogRef) -> LogCheckpoint | None:
        return self.session.scalars(
            select(LogCheckpoint)
            .where(LogCheckpoint.log_pk == log.pk)
            .order_by(LogCheckpoint.size.desc())
            .limit(1)
        ).one_or_none()

    def _stored(self, log: LogRef, row: LogCheckpoint) -> StoredCheckpoint:
        cosigs = self.session.scalars(
            select(LogCosignature)
            .where(LogCosignature.checkpoint_id == row.id)
            .order_by(LogCosignature.id)
        ).all()
        note = (
            add_signature_lines(row.note, [c.signature_line for c in cosigs])
            if cosigs
            else row.note
        )
        return StoredCheckpoint(
            Checkpoint(log.origin, row.size, row.root),
            note,
            tuple(StoredCosignature(c.witness, c.vkey, c.timestamp) for c in cosigs),
        )

    def _check_size(self, log: LogRef, size: int | None) -> int:
        current = self.size(log)
        if size is None:
            return current
        if not 0 <= size <= current:
            raise RangeError(
                f"树大小 {size} 超出日志 {log.origin} 的大小 {current}",
                f"tree size {size} is beyond log {log.origin} of size {current}",
            )
        return size

    def _proof(self, log: LogRef, layout: Layout) -> list[bytes]:
        return resolve(layout, self._fetch(log, needed(layout)))

    def _fetch(self, log: LogRef, coords: set[Coord]) -> dict[Coord, bytes]:
        """Hashes of the given nodes, rebuilt from the stored ones below them (`rebuild`)."""
        return rebuild(coords, self._fetch_stored(log, stored_for(coords)))

    def _fetch_stored(self, log: LogRef, coords: set[Coord]) -> dict[Coord, bytes]:
        """Stored hashes of the given nodes: leaves from entries, the rest from nodes.

        The keys are integers this module computed, written into the SQL text: a proof
        reads some 60 rows, and binding each as a Core ``IN`` parameter cost several
        times what the database spends finding them.
        """
        out: dict[Coord, bytes] = {}
        leaves = sorted(i for lv, i in coords if lv == 0)
        inner = sorted(c for c in coords if c[0] > 0)
        connection = self.session.connection()
        pk = int(log.pk)
        if leaves:
            keys = ",".join(str(int(i)) for i in leaves)
            for idx, h in connection.exec_driver_sql(
                f"SELECT idx, leaf_hash FROM {LogEntry.__tablename__} "
                f"WHERE log_pk = {pk} AND idx IN ({keys})"
            ):
                out[(0, idx)] = h
        if inner:
            by_pos = {flat_index(lv, idx): (lv, idx) for lv, idx in inner}
            keys = ",".join(str(int(p)) for p in sorted(by_pos))
            for pos, h in connection.exec_driver_sql(
                f"SELECT pos, hash FROM {LogNode.__tablename__} "
                f"WHERE log_pk = {pk} AND pos IN ({keys})"
            ):
                out[by_pos[pos]] = h
        if len(out) != len(coords):
            missing = sorted(coords - out.keys())[:3]
            raise LedgerError(
                f"日志 {log.origin} 的存储缺少节点 {missing}",
                f"log store is missing nodes {missing}",
            )
        return out

    def inclusion_proofs(
        self, log: LogRef, indices: Collection[int], size: int
    ) -> dict[int, list[bytes]]:
        """PATH(i, D[size]) for each index, the stored hashes read in one query."""
        size = self._check_size(log, size)
        layouts = {i: inclusion_layout(i, size) for i in indices}
        wanted: set[Coord] = set()
        for layout in layouts.values():
            wanted |= needed(layout)
        hashes = self._fetch(log, wanted)
        return {i: resolve(layout, hashes) for i, layout in layouts.items()}
