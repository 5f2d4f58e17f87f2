"""Everything the app wires together at start: database, keys, chain, anchoring."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from contracts.anchor import AnchorContract
from contracts.chain import Chain
from contracts.deploy import ensure_anchor, ensure_registry
from contracts.embedded import EmbeddedChain
from contracts.errors import ChainError, ChainUnavailable
from contracts.registry import RegistryContract
from contracts.rpc import RpcChain
from identity.community import decisions, registrations
from identity.community.committee import Registration, ServerKeys, check_decision
from identity.community.issuance import credential_pending, lost_keys, uncredentialed
from identity.community.models import Community, DecisionRow
from identity.community.origins import disclosure_origin
from identity.community.pii import PiiCipher
from identity.community.registry import get_community
from identity.errors import IdentityError
from identity.w3c.dataintegrity import verify_signed_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from ledger.tlog.anchoring import Anchored, Anchorer
from ledger.tlog.models import Log
from ledger.tlog.note_keys import Ed25519Signer
from ledger.tlog.records import log_id_of
from ledger.tlog.store import LogRef, LogStore
from voting import ballots, onchain
from voting.ballots import CastOutcome, Receipt, SignedVote
from voting.box_state import CLOSED, BoxState
from voting.census_freeze import displaced_guardians, guardian_replaced
from voting.errors import VotingError
from voting.models import Ballot, CensusVoter
from web.server import refusals
from web.server.ballot_view import BallotViews
from web.server.db import Database
from web.server.log_host import log_host
from web.server.refusals import Refusal
from web.server.sequencer import Overloaded, Sequencer
from web.server.settings import Settings

logger = logging.getLogger("gongzhi.services")
# What each kind of committee decision does once enough members have signed it.
_ACTS: dict[str, Callable[..., int]] = {
    "BallotAnnounced": ballots.apply_announcement,
    "BallotOpened": ballots.apply_opening,
    "BallotCancelled": ballots.apply_cancel,
    "VoterKeyChanged": ballots.apply_key_change,
    "BallotResult": ballots.apply_result,
    "ObjectionAnswered": ballots.apply_answer,
    "BallotFinal": ballots.apply_final,
}
# The acts whose apply needs no folded state (nothing is in the box yet).
_STATELESS = {"BallotAnnounced"}
# pg_advisory_xact_lock key of the anchoring round: any fixed 64-bit number of our own.
_ANCHOR_LOCK = 0x67_6F_6E_67_7A_68_69_61  # "gongzhia"
_LOG_SIZES = select(Log.origin, Log.size)
_WAKE_INTERVAL = 0.25  # seconds between two looks at what grew


def open_chain(settings: Settings) -> Chain:
    if settings.chain_rpc_url:
        if not settings.chain_private_key:
            raise SystemExit(
                "设置了 CHAIN_RPC_URL 但缺少 CHAIN_PRIVATE_KEY / "
                "CHAIN_RPC_URL is set but CHAIN_PRIVATE_KEY is missing"
            )
        return RpcChain(settings.chain_rpc_url, settings.chain_private_key)
    return EmbeddedChain(settings.data_dir / "chain")


def _census_uncredentialed(session: Session, ballot_id: int, dids: set[str]) -> set[str]:
    """Those of `dids` in the ballot's census whose ownership credential no registered member
    has signed yet: their votes are refused here rather than found by the verifier later
    (which asks for a member-signed credential behind every voting DID). A key not in the
    census goes on to the box, which asks the committee to attest it (a new phone)."""
    ballot = ballots.get_ballot(session, ballot_id)
    community = get_community(session, ballot.community_slug)
    waiting = uncredentialed(session, community=community, dids=dids)
    if not waiting:
        return waiting
    return set(
        session.scalars(
            select(CensusVoter.did).where(
                CensusVoter.ballot_id == ballot_id, CensusVoter.did.in_(waiting)
            )
        )
    )


def _results_in_logs(session: Session) -> set[str]:
    """The boxes whose log holds a BallotResult (closed, or final after the objections).

    What the periodic round must make sure the BallotRegistry holds. Derived from the logs
    rather than kept in a table: the registry itself says what it took (`read_result`, asked
    before every recording), so a restart before the chain returned loses nothing and no
    second copy of that state can drift from it. The cost is one read of the registry per
    closed ballot after a start, until each is confirmed."""
    return set(
        session.scalars(select(Ballot.log_origin).where(Ballot.status.in_([CLOSED, ballots.FINAL])))
    )


def _pending_refusal(
    session: Session, ballot_id: int, vote: SignedVote, waiting: set[str]
) -> Exception:
    """Why a vote by a key whose credential is only queued is refused: for a ward whose
    guardian it no longer is, that (a reissued credential will not make it theirs again);
    else that a member has yet to sign it. Asked only of refused votes."""
    named = vote.document.get("censusEntry")
    for did, entry in displaced_guardians(session, ballot_id=ballot_id, dids=waiting):
        if did == vote.signer and named in (None, entry):
            return guardian_replaced()
    return credential_pending()


@dataclass
class Services:
    settings: Settings
    db: Database
    cipher: PiiCipher
    log_seed: bytes
    chain: Chain
    _anchor: AnchorContract | None
    _registry: RegistryContract | None = None
    # Closed ballots whose result the registry may not have taken yet (the chain was down):
    # at start every ballot with a BallotResult in its log (`_results_in_logs`), since this
    # process cannot know what an earlier one recorded; each is checked first, then dropped.
    _unrecorded: set[str] = field(default_factory=set)
    anchorer: Anchorer = field(init=False)
    _stop: threading.Event = field(default_factory=threading.Event)
    _wake: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    # Read once at start (never inside a request's transaction): with no log yet, the first
    # one this process opens is named after today's address, which is then the stored one.
    _log_host: str = ""
    votes: Sequencer[tuple[int, SignedVote], Receipt] = field(init=False)
    # Refused votes, counted for the committee (`web.server.refusals`); None marks a flush.
    _refusals: Sequencer[Refusal | None, None] = field(init=False)
    # Logs that grew since they were last looked at: origin → size (see `appended`).
    _dirty: dict[str, int] = field(default_factory=dict)
    _dirty_lock: threading.Lock = field(default_factory=threading.Lock)
    _anchoring: threading.Lock = field(default_factory=threading.Lock)
    # Told of every committed growth (origins; empty: some log), e.g. the live dashboards.
    _watchers: list[Callable[[Collection[str]], None]] = field(default_factory=list)
    _origins: dict[int, str] = field(default_factory=dict)
    _signers: dict[str, Ed25519Signer] = field(default_factory=dict)
    views: BallotViews = field(default_factory=BallotViews)
    # The street offices whose registrations this server accepts (set from the identity
    # runtime at start: `Issuers.trusted_roots`).
    roots: frozenset[str] = frozenset()
    # The one clock every ballot rule reads: tests give it times instead of waiting.
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    # DEMO ONLY (`web.demo.community.sign_as_demo_members`, set by `create_app(demo=True)`): the
    # members' signatures on an owner's VoterKeyChanged, given as soon as it is proposed,
    # so that a visitor who enrolled after the demo ballot opened can vote. None on a real
    # server, where each member signs on their own device.
    attest_key_change: Callable[[Services, Session, Community, DecisionRow], None] | None = None

    @classmethod
    def start(cls, settings: Settings) -> Services:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(settings.database_url)
        db.create_all()
        chain = open_chain(settings)
        with db.session() as session:
            host = log_host(session, settings.public_url)
            unrecorded = _results_in_logs(session)
        return cls(
            settings=settings,
            db=db,
            cipher=PiiCipher(settings.personal_data_key()),
            log_seed=settings.secret_file("log.key"),
            chain=chain,
            _anchor=None,
            _log_host=host,
            _unrecorded=unrecorded,
        )

    def __post_init__(self) -> None:
        self.anchorer = Anchorer(lambda: self.anchor)
        # Votes enter their boxes through this (its thread starts with the first vote).
        self.votes = Sequencer(self._integrate_votes, name="gongzhi-votes")
        self._refusals = Sequencer(
            self._record_refusals, max_batch=1024, max_queue=16384, name="gongzhi-refusals"
        )
        try:
            self.anchor  # noqa: B018  (deploy or find the contract now if the chain is up)
        except ChainUnavailable as exc:
            logger.warning("chain unreachable at start; anchoring will catch up: %s", exc)

    @property
    def anchor(self) -> AnchorContract:
        """The LogAnchor contract, found (or deployed on first start) once the chain answers.

        The server starts and serves while its chain is down; what needs the chain raises
        `ChainUnavailable` (a 503 with a clear message) until it returns."""
        if self._anchor is None:
            self._anchor = ensure_anchor(self.chain, self.settings.data_dir / "contracts.json")
        return self._anchor

    @property
    def public_host(self) -> str:
        """The origin prefix of every log: fixed by the first log (`web.server.log_host`)."""
        return self._log_host

    def log_signer(self, log: LogRef) -> Ed25519Signer:
        # One server key; each log's note key is named by its origin, as C2SP advises.
        # Kept per origin: the signer derives its key once (every vote batch signs).
        signer = self._signers.get(log.origin)
        if signer is None:
            signer = self._signers[log.origin] = Ed25519Signer(log.origin, self.log_seed)
        return signer

    def log_vkey(self, origin: str) -> str:
        """The note verifier key of the log named `origin` (what a registration names as the
        disclosure log's ``server.disclosureLogKey``)."""
        return Ed25519Signer(origin, self.log_seed).vkey

    @staticmethod
    def verify_signed(doc: Any) -> str:
        return verify_signed_json(doc).controller

    # --- ballots and votes -------------------------------------------------------------

    # --- committee decisions -----------------------------------------------------------

    def registration(self, session: Session, community: Community) -> Registration:
        """The committee's registration in force now (`NoCommittee` when there is none)."""
        return registrations.in_force(session, community, self.roots, datetime.now(UTC))

    def propose(
        self,
        session: Session,
        community: Community,
        body: dict[str, Any],
        *,
        subject: str,
        proposed_by: str,
    ) -> DecisionRow:
        return decisions.propose(
            session,
            community=community,
            body=body,
            registration=self.registration(session, community),
            subject=subject,
            proposed_by=proposed_by,
        )

    def decision_check(self, session: Session, slug: str) -> Callable[[Mapping[str, Any]], object]:
        """Checks a committee decision of `slug` (from its log) against the stored
        registration it names."""
        chain = registrations.chain(session, get_community(session, slug), self.roots)

        def check(doc: Mapping[str, Any]) -> object:
            return check_decision(doc, chain.by_hash(str(doc.get("registration", ""))))

        return check

    def sign_decision(
        self, session: Session, community: Community, decision_id: int, proof: object
    ) -> tuple[DecisionRow, str | None]:
        """Keep one member's signature; once enough members have signed, append the decision
        in this same transaction. Returns the decision and, if it was applied, the origin of
        the log it went to (for the caller to report once committed)."""
        row = decisions.get(session, community, decision_id, lock=True)
        if not decisions.add_share(session, row, proof, self.registration(session, community)):
            return row, None
        return row, self._apply(session, row)

    def _apply(self, session: Session, row: DecisionRow) -> str:
        act = _ACTS.get(row.kind)
        ballot = session.scalar(select(Ballot).where(Ballot.log_origin == row.subject))
        if act is None or ballot is None:
            raise ballots.BallotError(
                "无法执行该决定", f"a {row.kind} decision on {row.subject} cannot be applied"
            )
        store = LogStore(session)
        extra = {} if row.kind in _STATELESS else {"state_of": self.state_of(session)}
        index = act(
            session,
            store=store,
            ballot=ballot,
            document=decisions.signed_document(session, row),
            now=self.clock(),
            **extra,
        )
        log = store.get_log(ballot.log_origin)
        store.sign_checkpoint(log, self.log_signer(log))
        decisions.mark_applied(row, index=index, now=datetime.now(UTC))
        return log.origin

    def state_of(self, session: Session) -> Callable[[Ballot], BoxState]:
        """The box's fold as the signed log has it (read inside the caller's transaction)."""
        return lambda ballot: self.views.of(session, ballot)

    def decided(self, origin: str | None, kind: str) -> None:
        """After a decision's transaction committed: anchor a closed ballot's final head at
        once; any other growth goes to the anchoring loop."""
        if origin is None:
            return
        self._tell((origin,))
        if kind in ("BallotResult", "BallotFinal"):
            self.anchor_now(origin)
        else:
            self.appended()
        if kind == "BallotResult":
            self.record_result(origin)

    @property
    def registry(self) -> RegistryContract:
        """The BallotRegistry contract, beside the anchor (deployed on first use)."""
        if self._registry is None:
            self._registry = ensure_registry(self.chain, self.settings.data_dir / "contracts.json")
        return self._registry

    def record_result(self, origin: str) -> None:
        """Send a closed ballot's totals to the BallotRegistry, which re-checks quorum and
        thresholds on-chain and records passed or failed. A chain that is down delays this,
        never the result (which is in the signed log already): the ballot waits in
        `_unrecorded` and the anchoring loop's periodic round tries again."""
        with self.db.session(write=False) as session:
            ballot = session.scalar(select(Ballot).where(Ballot.log_origin == origin))
            if ballot is None:
                return
            state = self.views.of(session, ballot)
        if state.opened is None:  # nothing to record: not a box of ours with a census
            self._unrecorded.discard(origin)
            return
        try:
            if self.registry.read_result(log_id_of(origin)) is None:
                onchain.record_result(
                    self.registry,
                    log_id=log_id_of(origin),
                    census_root=bytes.fromhex(str(state.opened["census"]["root"])),
                    decisions=[(item.id, outcome) for item, outcome in state.outcomes()],
                )
        except ChainError as exc:
            self._unrecorded.add(origin)
            logger.warning("result of %s not recorded on chain yet: %s", origin, exc)
            return
        except VotingError as exc:  # not a result the contract can take: retrying won't help
            logger.warning("result of %s not recorded on chain: %s", origin, exc)
        self._unrecorded.discard(origin)

    def record_pending_results(self) -> None:
        """Try again to record the results the chain was down for."""
        for origin in sorted(self._unrecorded):
            self.record_result(origin)

    def _propose_key_changes(self, changes: Sequence[tuple[int, ballots.KeyChangeNeeded]]) -> None:
        """Ask the committee to attest owners' new keys (after the batch that met them)."""
        for ballot_id, change in changes:
            try:
                with self.db.session() as session:
                    ballot = ballots.get_ballot(session, ballot_id)
                    community = get_community(session, ballot.community_slug)
                    registration = self.registration(session, community)
                    body = ballots.draft_key_change(
                        ballot,
                        registration=registration.hash,
                        voter=change.voter,
                        old=change.old,
                        new=change.new,
                    )
                    row = decisions.propose(
                        session,
                        community=community,
                        body=body,
                        registration=registration,
                        subject=ballot.log_origin,
                        proposed_by=change.new,
                    )
                    if self.attest_key_change is not None:
                        self.attest_key_change(self, session, community, row)
            except (IdentityError, VotingError) as exc:  # no committee now: the owner is told
                logger.warning("key change of ballot %s not proposed: %s", ballot_id, exc)

    def host_keys(self, slug: str) -> ServerKeys:
        """What the street office writes into a registration about this server: the DID
        whose status lists it accepts, and the note key of the community's disclosure log."""
        status = KeyPair.from_private_bytes(
            KeyType.ED25519, self.settings.secret_file("status.key")
        )
        origin = disclosure_origin(self.public_host, slug)
        return ServerKeys(status.did.value, Ed25519Signer(origin, self.log_seed).vkey)

    def ballot_origin(self, ballot_id: int) -> str:
        """The origin of a ballot's box (it never changes, so it is remembered)."""
        origin = self._origins.get(ballot_id)
        if origin is None:
            with self.db.session(write=False) as session:
                origin = ballots.get_ballot(session, ballot_id).log_origin
            self._origins[ballot_id] = origin
        return origin

    def head_signer(self, store: LogStore) -> tuple[Callable[[LogRef], str], dict[str, int]]:
        """A checkpoint signer for the logs of `store`, and what it signed (origin → size),
        to pass to `appended` once the transaction has committed."""
        grown: dict[str, int] = {}

        def checkpoint(log: LogRef) -> str:
            head, note = store.sign_head(log, self.log_signer(log))
            grown[log.origin] = head.size
            return note

        return checkpoint, grown

    def _integrate_votes(self, batch: Sequence[tuple[int, SignedVote]]) -> list[CastOutcome]:
        """One transaction for a batch of votes: per box one append and one checkpoint."""
        by_ballot: dict[int, list[int]] = {}
        for pos, (ballot_id, _) in enumerate(batch):
            by_ballot.setdefault(ballot_id, []).append(pos)
        outcomes: dict[int, CastOutcome] = {}
        with self.db.session() as session:
            store = LogStore(session)
            checkpoint, grown = self.head_signer(store)
            for ballot_id, positions in sorted(by_ballot.items()):
                try:
                    waiting = _census_uncredentialed(
                        session, ballot_id, {batch[p][1].signer for p in positions}
                    )
                    outcomes |= {
                        p: _pending_refusal(session, ballot_id, batch[p][1], waiting)
                        for p in positions
                        if batch[p][1].signer in waiting
                    }
                    positions = [p for p in positions if batch[p][1].signer not in waiting]
                    votes = [batch[p][1] for p in positions]
                    results = (
                        ballots.cast_votes(
                            session,
                            store=store,
                            checkpoint=checkpoint,
                            ballot_id=ballot_id,
                            votes=votes,
                            state_of=self.state_of(session),
                            now=self.clock(),
                            lost=lambda dids: lost_keys(session, dids),
                        )
                        if votes
                        else []
                    )
                except ballots.BallotNotFound as exc:  # nothing was written for it
                    results = [exc] * len(positions)
                outcomes |= dict(zip(positions, results, strict=True))
        self.appended(grown)  # committed: the anchoring loop may batch these now
        changes = [
            (batch[pos][0], out)
            for pos, out in outcomes.items()
            if isinstance(out, ballots.KeyChangeNeeded)
        ]
        if changes:
            self._propose_key_changes(changes)
        for pos, out in outcomes.items():
            if isinstance(out, Exception) and not isinstance(out, ballots.BallotNotFound):
                ballot_id, vote = batch[pos]
                self.refused(ballot_id, out, signer=vote.signer)
        return [outcomes[pos] for pos in range(len(batch))]

    # --- refused votes ------------------------------------------------------------------

    def refused(self, ballot_id: int, exc: Exception, *, signer: str | None) -> None:
        """Count a refused vote for the committee (`web.server.refusals`), without waiting: it is
        written in the next batch of refusals. A full queue drops it (a flood must not
        queue up behind the database)."""
        at = datetime.now(UTC).replace(microsecond=0)
        try:
            self._refusals.submit(Refusal.of(ballot_id, exc, signer, at))
        except Overloaded:
            logger.debug("refusal of ballot %s not counted: queue full", ballot_id)

    def refusals_settled(self, timeout: float = 10.0) -> None:
        """Wait until every refusal submitted so far is written (batches run in order)."""
        self._refusals.submit(None).result(timeout=timeout)

    def _record_refusals(self, batch: Sequence[Refusal | None]) -> list[None]:
        items = [r for r in batch if r is not None]
        if items:
            with self.db.session() as session:
                refusals.record(session, items)
        return [None] * len(batch)

    # --- anchoring ------------------------------------------------------------------------

    @contextmanager
    def anchoring(self, *, wait: bool) -> Iterator[Session | None]:
        """A read-only session in which this process may anchor, or None if another round is
        anchoring now, in this process or another (``wait`` blocks until it is done).

        On PostgreSQL a transaction-scoped advisory lock makes one anchorer at a time across
        every process of a scaled-out deployment, so no log is anchored twice and the chain
        account's nonces never race. SQLite serves one process (the embedded chain is too).
        Within a process the anchoring loop and a request closing a ballot (`anchor_now`)
        take turns by a thread lock first: on SQLite nothing else would keep them apart."""
        if not self._anchoring.acquire(blocking=wait):
            yield None
            return
        try:
            with self.db.session(write=False) as session:
                if not self.db.is_sqlite:
                    if wait:
                        session.execute(
                            text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ANCHOR_LOCK}
                        )
                    elif not session.scalar(
                        text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _ANCHOR_LOCK}
                    ):
                        yield None
                        return
                yield session
        finally:
            self._anchoring.release()

    def anchor_pending(self, *, force: bool = False, wait: bool = False) -> int:
        """Anchor the logs that are due: any with `anchor_every_entries` new entries, and when
        forced (every `anchor_every_seconds`) any with a new entry at all. Skipped while
        another round runs, unless ``wait``: then run after it (a round that must have
        happened when the call returns: an operator's, a test's).

        Which logs grew is known without scanning: the sequencer and the disclosure API say
        so (`appended`); a forced round reads every log's size in one query, which also picks
        up what other processes appended. A chain outage only postpones this: it is logged
        and the next round tries again."""
        done = 0
        with self.anchoring(wait=wait) as session:
            if session is None:
                return 0
            store = LogStore(session)
            with self._dirty_lock:
                dirty = dict(self._dirty)
            if force:
                dirty = {row.origin: row.size for row in session.execute(_LOG_SIZES)}
            try:
                for origin, size in sorted(dirty.items()):
                    log = store.get_log(origin)
                    backlog = size - self.anchorer.anchored_size(log)
                    due = backlog > 0 and (force or backlog >= self.settings.anchor_every_entries)
                    if due and self.anchorer.anchor_quietly(store, log) is not None:
                        done += 1
                    if backlog <= 0 or due:
                        with self._dirty_lock:
                            if self._dirty.get(origin, 0) <= size:
                                self._dirty.pop(origin, None)
            except ChainError as exc:
                logger.warning("anchoring postponed: %s", exc)
        return done

    def anchor_now(self, origin: str) -> Anchored | None:
        """Anchor one log's head at once (a closed ballot's final head), waiting for any
        other process's anchoring round to end first."""
        with self.anchoring(wait=True) as session:
            assert session is not None  # waiting always gets the lock
            store = LogStore(session)
            return self.anchorer.anchor_quietly(store, store.get_log(origin))

    def appended(self, grown: Mapping[str, int] | None = None) -> None:
        """Logs grew (origin → new size, once committed): let the anchoring loop check
        whether a batch of N entries is due. No request anchors itself, so a vote never
        waits for the chain."""
        if grown:
            with self._dirty_lock:
                for origin, size in grown.items():
                    self._dirty[origin] = max(size, self._dirty.get(origin, 0))
        self._wake.set()
        if grown:
            self._tell(tuple(grown))

    def watch(self, watcher: Callable[[Collection[str]], None]) -> None:
        """Call `watcher` with the origins of the logs that grew, once each growth has
        committed (from whichever thread committed it: it must not block)."""
        self._watchers.append(watcher)

    def unwatch(self, watcher: Callable[[Collection[str]], None]) -> None:
        self._watchers.remove(watcher)

    def _tell(self, origins: Collection[str]) -> None:
        for watcher in list(self._watchers):
            try:
                watcher(origins)
            except Exception:  # a watcher's bug must not fail the vote that committed
                logger.exception("a log watcher failed")

    def start_anchoring(self) -> None:
        """Anchor every T seconds whatever the backlog, and as soon as a log has N new entries."""
        period = self.settings.anchor_every_seconds

        def round_(force: bool) -> None:
            try:
                self.anchor_pending(force=force)
                if force:
                    self.record_pending_results()
            except Exception:  # keep the loop alive whatever one round meets
                logger.exception("anchoring round failed")

        def loop() -> None:
            deadline = time.monotonic() + period
            while not self._stop.is_set():
                woke = self._wake.wait(timeout=max(0.0, deadline - time.monotonic()))
                if self._stop.is_set():
                    return
                if woke:
                    self._wake.clear()
                    round_(force=False)
                    # Let a rush's wakes gather: one look per interval, not one per batch.
                    self._stop.wait(_WAKE_INTERVAL)
                if time.monotonic() >= deadline:
                    round_(force=True)
                    deadline = time.monotonic() + period

        self._thread = threading.Thread(target=loop, name="gongzhi-anchor", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.votes.close()
        self._refusals.close()
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.chain.close()
        self.db.dispose()
