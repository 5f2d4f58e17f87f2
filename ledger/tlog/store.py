"""The SQL store of transparency logs: append entries, read roots and proofs, keep checkpoints.

The hash of every complete aligned subtree on every third level is stored when it completes
(`ledger.tlog.subtrees`), so a root at any size, an inclusion proof or a consistency proof costs
O(log n) row reads in three queries, whatever the log's length (RFC 9162 §2.1). Leaf hashes
are not stored: the few a proof needs are rehashed from their entries. The store works
inside the caller's session and transaction and never commits: the caller's unit of work
decides.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterator, Sequence
from itertools import repeat
from typing import Any

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
from ledger.tlog.merkle import leaf_hash
from ledger.tlog.models import (
    ENTRY_INDEX_BITS,
    MAX_LOG_PK,
    Log,
    LogCheckpoint,
    LogCosignature,
    LogEntry,
    LogNode,
    entry_key,
)
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
    statement (opening the table and the foreign key's parent) for every row.
    At most 200 × 3 parameters a statement: far below either database's limit.
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


def _driver_sql(connection: Connection, sql: str) -> str:
    """``sql`` written with ``?`` marks, in the driver's own paramstyle."""
    return sql if connection.dialect.paramstyle == "qmark" else sql.replace("?", "%s")


def _stored_entry(index: int, data: bytes) -> StoredEntry:
    data = bytes(data)  # psycopg answers a memoryview
    return StoredEntry(index, data, leaf_hash(data))


class LogStore:
    """Append-only logs in one SQLAlchemy session (SQLite or PostgreSQL).

    The statements a vote batch runs (size, lock, append, sign a checkpoint) go straight to
    the driver: they are a handful of one-row reads and writes of the store's own tables,
    which only this class writes, so the ORM's identity map and autoflush have nothing to
    add — and its per-statement overhead was most of a small batch's time."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _row(self, sql: str, params: tuple[object, ...]) -> tuple[Any, ...] | None:
        connection = self.session.connection()
        row = connection.exec_driver_sql(_driver_sql(connection, sql), params).first()
        return None if row is None else tuple(row)

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
        if row.id > MAX_LOG_PK:  # its entry keys (`entry_key`) would not fit 63 bits
            raise LedgerError(
                f"日志数量已达上限（{MAX_LOG_PK} 个）",
                f"the store holds its maximum of {MAX_LOG_PK} logs",
            )
        return LogRef(row.id, origin, row.log_id, purpose)

    def get_log(self, origin: str) -> LogRef:
        row = self._row(
            f"SELECT id, log_id, purpose FROM {Log.__tablename__} WHERE origin = ?", (origin,)
        )
        if row is None:
            raise LogNotFoundError(f"没有来源为 {origin} 的日志", f"no log has origin {origin}")
        pk, log_id, purpose = row
        return LogRef(int(pk), origin, bytes(log_id), str(purpose))

    def size(self, log: LogRef) -> int:
        row = self._row(f"SELECT size FROM {Log.__tablename__} WHERE id = ?", (log.pk,))
        if row is None:
            raise LogNotFoundError(f"日志 {log.origin} 不存在", f"log {log.origin} does not exist")
        return int(row[0])

    def lock(self, log: LogRef) -> None:
        """Hold the log's row until the transaction ends (``SELECT … FOR UPDATE``), so a writer
        reads what it decides on and appends with no other process's append in between.
        (SQLite has no row locks and needs none: it has one writer at a time anyway.)"""
        if self.session.connection().dialect.name != "sqlite":
            self._row(f"SELECT id FROM {Log.__tablename__} WHERE id = ? FOR UPDATE", (log.pk,))

    # --- appending ------------------------------------------------------------------------

    def append(self, log: LogRef, entries: Sequence[bytes]) -> int:
        """Append ``entries`` (opaque bytes, e.g. RFC 8785 JSON) in order; return the first index.

        The first statement bumps the log's size (``UPDATE … RETURNING``): on PostgreSQL that
        takes the log row's lock, on SQLite the database write lock, so racing appends to one
        log queue up instead of both reading the same size. The entry key (`entry_key`)
        would refuse a duplicate index even if they did not.
        """
        if not entries:
            return self.size(log)
        for i, data in enumerate(entries):
            if not isinstance(data, bytes):
                raise EntryError(
                    f"第 {i} 条不是字节串（应为规范化 JSON 字节）",
                    f"entry {i} of the batch is {type(data).__name__}, not bytes",
                )
        returned = self._row(
            f"UPDATE {Log.__tablename__} SET size = size + ? WHERE id = ? RETURNING size",
            (len(entries), log.pk),
        )
        if returned is None:
            raise LogNotFoundError(f"日志 {log.origin} 不存在", f"log {log.origin} does not exist")
        bumped = int(returned[0])
        first = bumped - len(entries)
        if bumped > 1 << ENTRY_INDEX_BITS:  # the index would spill into the key's log bits
            raise RangeError(
                f"日志 {log.origin} 最多 2^{ENTRY_INDEX_BITS} 条",
                f"log {log.origin} holds at most 2^{ENTRY_INDEX_BITS} entries",
            )
        sha = hashlib.sha256  # leaf_hash, inlined: this is the per-entry cost of an append
        hashes = [sha(b"\x00" + data).digest() for data in entries]
        known = self._fetch(log, set(frontier(first, bumped)))
        n = len(entries)
        key = entry_key(log.pk, first)
        flat: list[object] = [None] * (3 * n)  # id, log_pk, data, row after row
        flat[0::3] = range(key, key + n)
        flat[1::3] = repeat(log.pk, n)
        flat[2::3] = entries
        connection = self.session.connection()
        _insert(connection, LogEntry.__tablename__, ("id", "log_pk", "data"), flat)
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
        data = None
        if 0 <= index < 1 << ENTRY_INDEX_BITS:  # another index would name another log's key
            data = self.session.scalar(
                select(LogEntry.data).where(LogEntry.id == entry_key(log.pk, index))
            )
        if data is None:
            raise RangeError(
                f"日志 {log.origin} 没有第 {index} 条", f"log {log.origin} has no entry {index}"
            )
        return _stored_entry(index, data)

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
        base = entry_key(log.pk, 0)
        while at < end:
            rows = self.session.execute(
                select(LogEntry.id, LogEntry.data)
                .where(LogEntry.id >= base + at, LogEntry.id < base + end)
                .order_by(LogEntry.id)
                .limit(chunk)
            ).all()
            if not rows:
                raise LedgerError(
                    f"日志 {log.origin} 缺少第 {at} 条", f"log store is missing entry {at}"
                )
            for key, data in rows:
                yield _stored_entry(key - base, data)
            at = rows[-1].id - base + 1

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
        return self.sign_head(log, signer)[1]

    def sign_head(self, log: LogRef, signer: Signer) -> tuple[Checkpoint, str]:
        """`sign_checkpoint`, also answering the head signed (so its size is not re-read).

        Five statements whatever the log's length: the log row, the last checkpoint, the
        nodes of the new root and of the proof that it extends the last one (one read for
        both), and the insert."""
        if signer.name != log.origin:
            raise UnknownKeyError(
                f"日志密钥名 {signer.name!r} 应与来源 {log.origin!r} 相同",
                f"the log key's name {signer.name!r} must be the origin {log.origin!r}",
            )
        row = self._row(f"SELECT size, vkey FROM {Log.__tablename__} WHERE id = ?", (log.pk,))
        if row is None:
            raise LogNotFoundError(f"日志 {log.origin} 不存在", f"log {log.origin} does not exist")
        size, vkey = int(row[0]), row[1]
        if vkey is None:  # the first checkpoint fixes the key (through the ORM: rare)
            self.session.execute(update(Log).where(Log.id == log.pk).values(vkey=signer.vkey))
        elif vkey != signer.vkey:
            raise UnknownKeyError(
                f"日志 {log.origin} 的检查点须由 {str(vkey).split('+')[0]} 的密钥签名",
                f"checkpoints of log {log.origin} must be signed by its key {vkey}",
            )
        last = self._row(
            f"SELECT size, root, note FROM {LogCheckpoint.__tablename__} "
            "WHERE log_pk = ? ORDER BY size DESC LIMIT 1",
            (log.pk,),
        )
        head = [root_layout(size)]
        extends: Layout = []
        if last is not None and 0 < int(last[0]) < size:
            extends = consistency_layout(int(last[0]), size)
        hashes = self._fetch(log, needed(head) | needed(extends))
        current = Checkpoint(log.origin, size, fold(resolve(head, hashes)))
        if last is not None:
            older = Checkpoint(log.origin, int(last[0]), bytes(last[1]))
            check_extends(older, current, resolve(extends, hashes))
            if older.size == current.size:
                return current, str(last[2])
        note = sign_checkpoint(current, signer)
        connection = self.session.connection()
        connection.exec_driver_sql(
            _driver_sql(
                connection,
                f"INSERT INTO {LogCheckpoint.__tablename__} (log_pk, size, root, note) "
                "VALUES (?, ?, ?, ?)",
            ),
            (log.pk, current.size, current.root, note),
        )
        return current, note

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
        if leaves:  # their hashes are not stored: rehashed from the data (7 at most a proof)
            base = entry_key(pk, 0)
            keys = ",".join(str(base + int(i)) for i in leaves)
            sha = hashlib.sha256
            for key, data in connection.exec_driver_sql(
                f"SELECT id, data FROM {LogEntry.__tablename__} WHERE id IN ({keys})"
            ):
                out[(0, key - base)] = sha(b"\x00" + data).digest()
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
