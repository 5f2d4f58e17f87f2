"""A community's disclosure log: append checked, signed entries; list them with their 质疑.

One log per community, origin ``{public host}/c/{slug}/disclosures``
(`identity.community.origins.disclosure_origin`). An entry is appended
only when its signature verifies, its signer holds the right role (a registered publisher
for disclosures and replies, an owner of the community for objections and reviews), and
every accounting check of `ledger.disclosure.accounting` passes; otherwise nothing changes.
Each append takes the log's lock first, so two statements of one account cannot both pass
the continuity check against the same previous period. Works inside the caller's session
and transaction, like `ledger.tlog.store.LogStore`.

What is listed is read from the log, not from the index: each entry's stored bytes must hash
to its leaf, the leaf must be in the tree of the latest checkpoint the log key signed, and
the index row must say what the entry says. Any disagreement — a row edited behind the log's
back — raises `IntegrityError` instead of serving a different answer.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from identity.errors import IdentityError
from identity.w3c.dataintegrity import verify_signed_json
from identity.w3c.jcs import canonical
from identity.w3c.jcs import loads as strict_loads
from ledger.disclosure.accounting import (
    Account,
    Balance,
    Effects,
    EntryInfo,
    check_entry,
    name_key,
)
from ledger.disclosure.approval import (
    ApprovedSpending,
    ApprovedSpendingLookup,
    BallotReader,
    BallotRef,
    approved_spending,
)
from ledger.disclosure.entries import (
    DISCLOSURE,
    OBJECTION,
    REPLY,
    REVIEW,
    Disclosure,
    Entry,
    Objection,
    ObjectionReply,
    ObjectionReview,
    ReadEntry,
    VerifySigned,
    parse_entry,
    read_entry,
)
from ledger.disclosure.errors import (
    ApprovalError,
    AuthorityError,
    DisclosureError,
    DuplicateEntryError,
    IntegrityError,
    SchemaError,
)
from ledger.disclosure.kinds import STATEMENTS, AccountOpened, Kind, parse_body, parse_kind
from ledger.disclosure.models import (
    DisclosureIndex,
    DisclosurePublisher,
    DisclosureSpending,
    DisclosureWitness,
)
from ledger.tlog.checkpoint import Checkpoint, add_signature_lines, open_checkpoint
from ledger.tlog.errors import LedgerError, LogNotFoundError, NoteError
from ledger.tlog.merkle import leaf_hash, verify_inclusion
from ledger.tlog.models import Log, LogCheckpoint, LogCosignature, LogEntry, entry_key
from ledger.tlog.note_keys import CosignatureVerifier, Signer, parse_vkey
from ledger.tlog.records import LogRef, StoredCheckpoint, StoredCosignature
from ledger.tlog.store import LogStore

PURPOSE = "disclosures"
PUBLISHER_ROLES = {"property_manager": "物业服务人", "committee": "业主委员会"}
WITNESS_ROLES = {"committee": "业主委员会", "street_office": "街道办事处"}


def _verify_did(doc: Mapping[str, Any]) -> str:
    return verify_signed_json(doc).controller


@dataclass(frozen=True)
class Policy:
    """Who may do what now, and how maintenance-fund approvals are looked up.

    ``publisher_role`` names the role a DID holds at this moment (``property_manager`` or
    ``committee``; None for neither) and ``is_resident`` whether it is an owner of the
    community — both from the caller's verified credentials, so a withdrawn role stops
    working at once. The publisher table only records who published, for the bundle.
    """

    approved: ApprovedSpendingLookup
    is_resident: Callable[[str], bool]
    publisher_role: Callable[[str], str | None]
    verify: VerifySigned = _verify_did


@dataclass(frozen=True)
class Appended:
    index: int
    leaf_hash: bytes
    checkpoint: str
    read: ReadEntry


@dataclass(frozen=True)
class Witness:
    vkey: str
    name: str
    role: str


@dataclass
class EntryView:
    """An entry as listed: the signed document, what the index knows, and its 质疑 thread."""

    index: int
    leaf_hash: bytes
    type: str
    signer: str
    doc: dict[str, Any]
    kind: str | None = None
    period: str | None = None
    target: int | None = None
    thread: list[EntryView] = field(default_factory=list)


@dataclass(frozen=True)
class IndexFields:
    """What the index row of an entry holds, all of it derived from the entry itself."""

    type: str
    signer: str
    kind: str | None = None
    account: str | None = None  # the account id of a statement or an AccountOpened
    period: str | None = None  # a statement's period, an opening's first period
    closing_fen: int | None = None  # a statement's closing, an opening's balance
    target_idx: int | None = None
    reply_idx: int | None = None

    @classmethod
    def of(cls, entry: Entry) -> IndexFields:
        if isinstance(entry, Disclosure):
            body = entry.body
            kind = entry.kind.value
            if isinstance(body, AccountOpened):
                return cls(
                    DISCLOSURE, entry.signer, kind, body.account_id, body.first_period, body.opening
                )
            if isinstance(body, STATEMENTS):
                return cls(
                    DISCLOSURE, entry.signer, kind, body.account_id, body.period, body.closing
                )
            return cls(DISCLOSURE, entry.signer, kind)
        if isinstance(entry, Objection):
            return cls(OBJECTION, entry.signer, target_idx=entry.target.index)
        if isinstance(entry, ObjectionReply):
            return cls(REPLY, entry.signer, target_idx=entry.objection.index)
        assert isinstance(entry, ObjectionReview)
        return cls(
            REVIEW, entry.signer, target_idx=entry.objection.index, reply_idx=entry.reply.index
        )

    @classmethod
    def of_row(cls, row: DisclosureIndex) -> IndexFields:
        return cls(
            row.type,
            row.signer,
            row.kind,
            row.account,
            row.period,
            row.closing_fen,
            row.target_idx,
            row.reply_idx,
        )


def _entry_of(index: int, data: bytes, leaf: bytes) -> Entry:
    """The typed entry of stored bytes that must hash to ``leaf`` (the index's or the tree's)."""
    if leaf_hash(data) != leaf:
        raise IntegrityError(
            f"第 {index} 条的存储内容与其叶哈希不符",
            f"the stored bytes of entry {index} do not hash to its leaf",
        )
    try:
        return parse_entry(strict_loads(data))
    except (IdentityError, DisclosureError) as exc:
        raise IntegrityError(
            f"第 {index} 条的存储内容无法读取：{exc.bilingual()[0]}",
            f"the stored entry {index} cannot be read: {exc.bilingual()[1]}",
        ) from exc


class DbState:
    """`LedgerState` answered from the index tables: one small query per question."""

    def __init__(self, session: Session, log_pk: int) -> None:
        self.session, self.log_pk = session, log_pk

    def _checked(self, row: DisclosureIndex) -> Entry:
        """The entry an index row stands for, read from the log; the row must say what the
        entry says (a row edited behind the log's back must not steer the checks)."""
        data = self.session.scalar(
            select(LogEntry.data).where(LogEntry.id == entry_key(self.log_pk, row.idx))
        )
        stored_hash = None if data is None else leaf_hash(bytes(data))
        if data is None or stored_hash != row.leaf_hash:
            raise IntegrityError(
                f"第 {row.idx} 条的索引与日志不符", f"the index of entry {row.idx} is not the log's"
            )
        entry = _entry_of(row.idx, bytes(data), stored_hash)
        if IndexFields.of(entry) != IndexFields.of_row(row):
            raise IntegrityError(
                f"第 {row.idx} 条的索引与已签名的条目不符",
                f"the index row of entry {row.idx} disagrees with the signed entry",
            )
        return entry

    def _account_at(self, row: DisclosureIndex) -> Account:
        """The account an AccountOpened entry opened, read from the entry itself."""
        entry = self._checked(row)
        assert isinstance(entry, Disclosure) and isinstance(entry.body, AccountOpened)  # kind
        b = entry.body
        return Account(b.account_id, b.name, b.statement_kind, b.first_period, b.opening, row.idx)

    def _openings(self) -> Any:
        return select(DisclosureIndex).where(
            DisclosureIndex.log_pk == self.log_pk,
            DisclosureIndex.kind == Kind.ACCOUNT_OPENED.value,
        )

    def account(self, account_id: str) -> Account | None:
        row = self.session.scalars(
            self._openings()
            .where(DisclosureIndex.account == account_id)
            .order_by(DisclosureIndex.idx)
            .limit(1)
        ).first()
        return None if row is None else self._account_at(row)

    def account_named(self, key: str) -> Account | None:
        # A community opens few accounts: reading every opening is cheap and exact.
        for row in self.session.scalars(self._openings().order_by(DisclosureIndex.idx)):
            account = self._account_at(row)
            if name_key(account.name) == key:
                return account
        return None

    def last_balance(self, kind: Kind, account: str) -> Balance | None:
        row = self.session.scalars(
            select(DisclosureIndex)
            .where(
                DisclosureIndex.log_pk == self.log_pk,
                DisclosureIndex.kind == kind.value,
                DisclosureIndex.account == account,
            )
            .order_by(DisclosureIndex.idx.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        self._checked(row)  # period and closing as the signed statement states them
        if row.period is None or row.closing_fen is None:
            return None
        return Balance(kind, account, row.period, row.closing_fen, row.idx)

    def spent(self, ref: BallotRef) -> int:
        total = self.session.scalar(
            select(func.coalesce(func.sum(DisclosureSpending.amount_fen), 0)).where(
                DisclosureSpending.log_pk == self.log_pk,
                DisclosureSpending.ballot == ref.ballot,
                DisclosureSpending.ballot_index == ref.index,
                DisclosureSpending.ballot_leaf == ref.leaf_hash,
            )
        )
        return int(total or 0)

    def entry_info(self, index: int) -> EntryInfo | None:
        row = self.session.get(DisclosureIndex, (self.log_pk, index))
        if row is None:
            return None
        self._checked(row)  # who signed it and what it points at, as the entry says
        return EntryInfo(
            row.idx,
            row.leaf_hash,
            row.type,
            row.signer,
            kind=Kind(row.kind) if row.kind else None,
            target=row.target_idx,
            reply=row.reply_idx,
        )


class DisclosureLogs:
    """The disclosure logs in one SQLAlchemy session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.store = LogStore(session)

    # --- logs, publishers, witnesses --------------------------------------------------------

    def ensure(self, origin: str) -> LogRef:
        """The community's disclosure log, created empty on first use."""
        try:
            return self.store.get_log(origin)
        except LogNotFoundError:
            return self.store.create_log(origin, PURPOSE)

    def get(self, origin: str) -> LogRef:
        log = self.store.get_log(origin)
        if log.purpose != PURPOSE:
            raise LogNotFoundError(
                f"{origin} 不是公开信息日志", f"{origin} is not a disclosure log"
            )
        return log

    def record_publisher(self, log: LogRef, did: str, role: str) -> None:
        """Note that ``did`` publishes in ``role`` (what the bundle lists as publishers)."""
        if role not in PUBLISHER_ROLES:
            raise SchemaError(
                "发布人角色须为 property_manager（物业服务人）或 committee（业主委员会）",
                "a publisher's role must be property_manager or committee",
                where="role",
            )
        if not did.startswith("did:") or len(did) > 200:
            raise SchemaError("必须是 DID", "must be a DID", where="did")
        row = self.session.get(DisclosurePublisher, (log.pk, did))
        if row is None:
            self.session.add(DisclosurePublisher(log_pk=log.pk, did=did, role=role))
            self.session.flush()
        elif row.role != role:
            row.role = role
            self.session.flush()

    def publishers(self, log: LogRef) -> list[tuple[str, str]]:
        rows = self.session.execute(
            select(DisclosurePublisher.did, DisclosurePublisher.role)
            .where(DisclosurePublisher.log_pk == log.pk)
            .order_by(DisclosurePublisher.added_at, DisclosurePublisher.did)
        ).all()
        return [(r.did, r.role) for r in rows]

    def add_witness(self, log: LogRef, vkey: str, role: str) -> Witness:
        if role not in WITNESS_ROLES:
            raise SchemaError(
                "见证人角色须为 committee（业主委员会）或 street_office（街道办事处）",
                "a witness's role must be committee or street_office",
                where="role",
            )
        verifier = parse_vkey(vkey)
        if not isinstance(verifier, CosignatureVerifier):
            raise NoteError(
                "见证人密钥必须是 cosignature/v1 类型（0x04）",
                "a witness key must be of type cosignature/v1 (0x04)",
            )
        if self.session.get(DisclosureWitness, (log.pk, verifier.vkey)) is None:
            self.session.add(
                DisclosureWitness(log_pk=log.pk, vkey=verifier.vkey, name=verifier.name, role=role)
            )
            self.session.flush()
        return Witness(verifier.vkey, verifier.name, role)

    def witnesses(self, log: LogRef) -> list[Witness]:
        rows = self.session.scalars(
            select(DisclosureWitness)
            .where(DisclosureWitness.log_pk == log.pk)
            .order_by(DisclosureWitness.added_at, DisclosureWitness.vkey)
        ).all()
        return [Witness(r.vkey, r.name, r.role) for r in rows]

    def cosign(
        self, log: LogRef, size: int, line: str, vkey: str | None = None
    ) -> StoredCheckpoint:
        """Keep a witness's cosignature of the checkpoint of ``size``; only registered
        witnesses of this log count (the line names its key; ``vkey`` may pick one)."""
        witnesses = self.witnesses(log)
        name = line.removeprefix("— ").split(" ", 1)[0]
        candidates = [w for w in witnesses if (w.vkey == vkey if vkey else w.name == name)]
        if not candidates:
            raise AuthorityError(
                f"{vkey or name} 不是本日志登记的见证人",
                f"{vkey or name} is not a registered witness of this log",
            )
        errors: list[LedgerError] = []
        for witness in candidates:  # two keys may share a name: the signature picks one
            try:
                return self.store.add_cosignature(log, size, witness.vkey, line)
            except LedgerError as exc:
                errors.append(exc)
        raise errors[0]

    def checkpoint_page(self, log: LogRef, *, after: int, limit: int) -> list[StoredCheckpoint]:
        """Checkpoints of sizes above ``after``, oldest first, each with its cosignatures."""
        rows = self.session.scalars(
            select(LogCheckpoint)
            .where(LogCheckpoint.log_pk == log.pk, LogCheckpoint.size > after)
            .order_by(LogCheckpoint.size)
            .limit(limit)
        ).all()
        cosigs: dict[int, list[LogCosignature]] = {row.id: [] for row in rows}
        for c in self.session.scalars(
            select(LogCosignature)
            .where(LogCosignature.checkpoint_id.in_(list(cosigs)))
            .order_by(LogCosignature.id)
        ):
            cosigs[c.checkpoint_id].append(c)
        return [
            StoredCheckpoint(
                Checkpoint(log.origin, row.size, row.root),
                add_signature_lines(row.note, [c.signature_line for c in cosigs[row.id]]),
                tuple(StoredCosignature(c.witness, c.vkey, c.timestamp) for c in cosigs[row.id]),
            )
            for row in rows
        ]

    # --- appending ---------------------------------------------------------------------------

    def _authorise(self, log: LogRef, read: ReadEntry, policy: Policy) -> None:
        entry = read.entry
        if isinstance(entry, Disclosure | ObjectionReply):
            role = policy.publisher_role(read.signer)
            if role is None:
                raise AuthorityError(
                    f"{read.signer} 不是本小区的发布人（物业服务人或业主委员会）",
                    f"{read.signer} is not a publisher of this community "
                    "(property manager or owners' committee)",
                )
            self.record_publisher(log, read.signer, role)
        elif not policy.is_resident(read.signer):
            raise AuthorityError(
                f"{read.signer} 不是本小区的业主，不能提出质疑或评价",
                f"{read.signer} is not an owner in this community and may not object or review",
            )

    def append(
        self, log: LogRef, doc: Mapping[str, Any], *, policy: Policy, signer: Signer
    ) -> Appended:
        """Check and append one signed entry, then sign the new checkpoint with ``signer``."""
        # The log's lock first (a no-op update): later reads see every committed append.
        self.session.execute(
            update(Log)
            .where(Log.id == log.pk)
            .values(size=Log.size)
            .execution_options(synchronize_session=False)
        )
        try:
            raw = canonical(dict(doc))
        except IdentityError as exc:
            raise SchemaError(
                f"条目无法规范化：{exc.zh}", f"entry cannot be canonicalized: {exc.en}"
            ) from exc
        read = read_entry(raw, origin=log.origin, verify=policy.verify)
        self._authorise(log, read, policy)
        leaf = leaf_hash(raw)
        dup = self.session.scalar(
            select(DisclosureIndex.idx).where(
                DisclosureIndex.log_pk == log.pk, DisclosureIndex.leaf_hash == leaf
            )
        )
        if dup is not None:
            raise DuplicateEntryError(
                f"同一条目已是第 {dup} 条", f"the very same entry is already entry {dup}"
            )
        index = self.store.size(log)
        effects = check_entry(
            read.entry,
            origin=log.origin,
            index=index,
            leaf_hash=leaf,
            signer=read.signer,
            state=DbState(self.session, log.pk),
            approved=policy.approved,
        )
        first = self.store.append(log, [raw])
        if first != index:
            raise LedgerError(
                f"日志在检查期间增长（{index} → {first}）", "the log grew while checking"
            )
        self._index(log, read, effects)
        note = self.store.sign_checkpoint(log, signer)
        return Appended(index, leaf, note, read)

    def check_draft(
        self, log: LogRef, kind: object, body: object, *, publisher: str, policy: Policy
    ) -> None:
        """Every check `append` would make of a disclosure of ``kind`` with ``body`` published
        by ``publisher`` as the next entry — schema, role and accounting — without a signature
        and without writing anything: a publisher's form shows what would be refused before
        the entry is signed. Raises the `DisclosureError` that `append` would raise."""
        k = parse_kind(kind)
        entry = Disclosure(log=log.origin, publisher=publisher, kind=k, body=parse_body(k, body))
        if policy.publisher_role(publisher) is None:
            raise AuthorityError(
                f"{publisher} 不是本小区的发布人（物业服务人或业主委员会）",
                f"{publisher} is not a publisher of this community "
                "(property manager or owners' committee)",
            )
        check_entry(
            entry,
            origin=log.origin,
            index=self.store.size(log),
            leaf_hash=bytes(32),  # not yet signed: no leaf; the checks do not read it
            signer=publisher,
            state=DbState(self.session, log.pk),
            approved=policy.approved,
        )

    def _index(self, log: LogRef, read: ReadEntry, effects: Effects) -> None:
        info = effects.info
        fields = IndexFields.of(read.entry)
        self.session.add(
            DisclosureIndex(
                log_pk=log.pk, idx=info.index, leaf_hash=info.leaf_hash, **fields.__dict__
            )
        )
        for ref, amount in effects.spending:
            self.session.add(
                DisclosureSpending(
                    log_pk=log.pk,
                    idx=info.index,
                    ballot=ref.ballot,
                    ballot_index=ref.index,
                    ballot_leaf=ref.leaf_hash,
                    amount_fen=amount,
                )
            )
        self.session.flush()

    # --- reading -----------------------------------------------------------------------------

    def _load(self, log: LogRef, rows: Sequence[DisclosureIndex]) -> list[EntryView]:
        """Views of indexed entries, read from the log and checked against it (see above)."""
        if not rows:
            return []
        wanted = [r.idx for r in rows]
        base = entry_key(log.pk, 0)
        stored: dict[int, tuple[bytes, bytes]] = {
            key - base: (bytes(blob), leaf_hash(bytes(blob)))
            for key, blob in self.session.execute(
                select(LogEntry.id, LogEntry.data).where(
                    LogEntry.id.in_([base + i for i in wanted])
                )
            )
        }
        missing = sorted(set(wanted) - stored.keys())
        if missing:
            raise IntegrityError(
                f"索引列出的第 {missing[0]} 条不在日志中",
                f"entry {missing[0]} is indexed but not in the log",
            )
        self._check_in_tree(log, {idx: leaf for idx, (_, leaf) in stored.items()})
        views = []
        for r in rows:
            data, leaf = stored[r.idx]
            if r.leaf_hash != leaf:
                raise IntegrityError(
                    f"第 {r.idx} 条的索引叶哈希与日志不符",
                    f"the index's leaf hash of entry {r.idx} is not the log's",
                )
            entry = _entry_of(r.idx, data, leaf)
            fields = IndexFields.of(entry)
            if fields != IndexFields.of_row(r):
                raise IntegrityError(
                    f"第 {r.idx} 条的索引与已签名的条目不符",
                    f"the index row of entry {r.idx} disagrees with the signed entry",
                )
            views.append(
                EntryView(
                    index=r.idx,
                    leaf_hash=leaf,
                    type=fields.type,
                    signer=fields.signer,
                    doc=strict_loads(data),
                    kind=fields.kind,
                    period=fields.period,
                    target=fields.target_idx,
                )
            )
        return views

    def _check_in_tree(self, log: LogRef, leaves: Mapping[int, bytes]) -> None:
        """Each leaf is in the tree of the latest checkpoint signed by the log's key."""
        latest = self.store.latest_checkpoint(log)
        vkey = self.store.log_key(log)
        if latest is None or vkey is None:
            raise IntegrityError("日志没有已签名的检查点", "the log has no signed checkpoint")
        try:
            signed = open_checkpoint(
                latest.note, origin=log.origin, log_verifier=parse_vkey(vkey)
            ).checkpoint
        except LedgerError as exc:
            raise IntegrityError(
                f"最新检查点的签名无法验证：{exc.bilingual()[0]}",
                f"the latest checkpoint does not verify: {exc.bilingual()[1]}",
            ) from exc
        if signed != latest.checkpoint:
            raise IntegrityError(
                "最新检查点与其签名的内容不符", "the latest checkpoint is not what its note signs"
            )
        covered = {i: h for i, h in leaves.items() if i < signed.size}
        try:
            proofs = self.store.inclusion_proofs(log, covered, signed.size)
            for i, h in covered.items():
                verify_inclusion(h, i, signed.size, proofs[i], signed.root)
        except LedgerError as exc:  # ProofError, or nodes missing from the store
            raise IntegrityError(
                f"条目不在已签名检查点的树中：{exc.bilingual()[0]}",
                f"an entry is not in the signed checkpoint's tree: {exc.bilingual()[1]}",
            ) from exc

    def _threads(self, log: LogRef, views: list[EntryView]) -> None:
        """Attach to each disclosure its objections, and to each objection its replies and
        reviews (说、议、办、评)."""
        by_index = {v.index: v for v in views if v.type == DISCLOSURE}
        if not by_index:
            return
        objections = self._load(
            log,
            self.session.scalars(
                select(DisclosureIndex)
                .where(
                    DisclosureIndex.log_pk == log.pk,
                    DisclosureIndex.type == OBJECTION,
                    DisclosureIndex.target_idx.in_(sorted(by_index)),
                )
                .order_by(DisclosureIndex.idx)
            ).all(),
        )
        answers = self._load(
            log,
            self.session.scalars(
                select(DisclosureIndex)
                .where(
                    DisclosureIndex.log_pk == log.pk,
                    DisclosureIndex.type.in_([REPLY, REVIEW]),
                    DisclosureIndex.target_idx.in_([o.index for o in objections]),
                )
                .order_by(DisclosureIndex.idx)
            ).all()
            if objections
            else [],
        )
        by_objection = {o.index: o for o in objections}
        for a in answers:
            if a.target in by_objection:
                by_objection[a.target].thread.append(a)
        for o in objections:
            if o.target in by_index:
                by_index[o.target].thread.append(o)

    def listing(
        self,
        log: LogRef,
        *,
        start: int = 0,
        limit: int = 50,
        types: Collection[str] = (DISCLOSURE,),
        kind: str | None = None,
    ) -> list[EntryView]:
        """Entries of the given types from ``start`` on, newest last, with their threads."""
        q = select(DisclosureIndex).where(
            DisclosureIndex.log_pk == log.pk,
            DisclosureIndex.idx >= start,
            DisclosureIndex.type.in_(list(types)),
        )
        if kind is not None:
            q = q.where(DisclosureIndex.kind == kind)
        rows = self.session.scalars(q.order_by(DisclosureIndex.idx).limit(limit)).all()
        views = self._load(log, rows)
        self._threads(log, views)
        return views

    def view(self, log: LogRef, index: int) -> EntryView:
        row = self.session.get(DisclosureIndex, (log.pk, index))
        if row is None:
            raise LogNotFoundError(
                f"日志 {log.origin} 没有第 {index} 条", f"log {log.origin} has no entry {index}"
            )
        views = self._load(log, [row])
        self._threads(log, views)
        return views[0]


def approved_from_store(
    store: LogStore,
    ref: BallotRef,
    *,
    decision: Callable[[Mapping[str, Any]], object],
    read_ballot: BallotReader,
) -> ApprovedSpending | None:
    """What a cited ballot result approved, read from the ballot's own log by `read_ballot`
    (voting's reader of its entries).

    None when the ballot log, the entry or its leaf hash is not there. Both entries must be
    committee decisions: ``decision`` checks one (its members' signatures against the
    registration it names) and raises `IdentityError` when it does not hold.
    """
    try:
        log = store.get_log(ref.ballot)
    except LogNotFoundError:
        return None
    if not 0 < ref.index < store.size(log):
        return None
    result = store.entry(log, ref.index)
    if leaf_hash(result.data) != ref.leaf_hash or result.leaf_hash != ref.leaf_hash:
        return None
    opened = store.entry(log, 0)
    docs = []
    for e in (opened, result):
        doc = strict_loads(e.data)
        try:
            decision(doc)
        except IdentityError as exc:
            raise ApprovalError(
                f"表决第 {e.index} 条不是有效的业委会决定：{exc.zh}",
                f"ballot entry {e.index} is not a valid committee decision: {exc.en}",
            ) from exc
        docs.append(doc)
    return approved_spending(ref, read_ballot(docs[0], docs[1]))
