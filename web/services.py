"""Everything the app wires together at start: database, keys, chain, anchoring."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from contracts.anchor import AnchorContract
from contracts.chain import Chain
from contracts.deploy import ensure_anchor
from contracts.embedded import EmbeddedChain
from contracts.errors import ChainError, ChainUnavailable
from contracts.rpc import RpcChain
from identity.dataintegrity import sign_json, verify_signed_json
from identity.didkey import KeyType
from identity.keys import KeyPair
from identity.pii import PiiCipher
from ledger.anchoring import Anchorer
from ledger.models import Log
from ledger.note_keys import Ed25519Signer
from ledger.store import LogRef, LogStore
from web.db import Database
from web.log_host import log_host
from web.settings import Settings

logger = logging.getLogger("gongzhi.services")


def open_chain(settings: Settings) -> Chain:
    if settings.chain_rpc_url:
        if not settings.chain_private_key:
            raise SystemExit(
                "设置了 CHAIN_RPC_URL 但缺少 CHAIN_PRIVATE_KEY / "
                "CHAIN_RPC_URL is set but CHAIN_PRIVATE_KEY is missing"
            )
        return RpcChain(settings.chain_rpc_url, settings.chain_private_key)
    return EmbeddedChain(settings.data_dir / "chain")


@dataclass
class Services:
    settings: Settings
    db: Database
    cipher: PiiCipher
    log_seed: bytes
    committee_key: KeyPair
    chain: Chain
    _anchor: AnchorContract | None
    anchorer: Anchorer = field(init=False)
    _stop: threading.Event = field(default_factory=threading.Event)
    _wake: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    # Read once at start (never inside a request's transaction): with no log yet, the first
    # one this process opens is named after today's address, which is then the stored one.
    _log_host: str = ""

    @classmethod
    def start(cls, settings: Settings) -> Services:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(settings.database_url)
        db.create_all()
        chain = open_chain(settings)
        with db.session() as session:
            host = log_host(session, settings.public_url)
        return cls(
            settings=settings,
            db=db,
            cipher=PiiCipher(settings.personal_data_key()),
            log_seed=settings.secret_file("log.key"),
            committee_key=KeyPair.from_private_bytes(
                KeyType.ED25519, settings.secret_file("committee.key")
            ),
            chain=chain,
            _anchor=None,
            _log_host=host,
        )

    def __post_init__(self) -> None:
        self.anchorer = Anchorer(lambda: self.anchor)
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
        """The origin prefix of every log: fixed by the first log (`web.log_host`)."""
        return self._log_host

    def log_signer(self, log: LogRef) -> Ed25519Signer:
        # One server key; each log's note key is named by its origin, as C2SP advises.
        return Ed25519Signer(log.origin, self.log_seed)

    def sign_as_committee(self, obj: dict[str, Any]) -> dict[str, Any]:
        return sign_json(obj, self.committee_key)

    @staticmethod
    def verify_signed(doc: Any) -> str:
        return verify_signed_json(doc).controller

    def anchor_pending(self, *, force: bool = False) -> int:
        """Anchor every log with enough new entries (or any new entry when forced).

        A chain outage only postpones this: it is logged and the next round tries again."""
        done = 0
        with self.db.session() as session:
            store = LogStore(session)
            try:
                for origin in session.scalars(select(Log.origin)):
                    log = store.get_log(origin)
                    backlog = self.anchorer.backlog(store, log)
                    due = backlog and (force or backlog >= self.settings.anchor_every_entries)
                    if due and self.anchorer.anchor_quietly(store, log) is not None:
                        done += 1
            except ChainError as exc:
                logger.warning("anchoring postponed: %s", exc)
        return done

    def appended(self) -> None:
        """A log grew: let the anchoring loop check whether a batch of N entries is due.

        The request does not anchor itself, so a vote never waits for the chain."""
        self._wake.set()

    def appended_on_commit(self, session: Session) -> None:
        """`appended`, once `session`'s transaction has committed (so the loop sees the entry)."""
        event.listen(session, "after_commit", lambda _s: self.appended(), once=True)

    def start_anchoring(self) -> None:
        """Anchor every T seconds whatever the backlog, and as soon as a log has N new entries."""
        period = self.settings.anchor_every_seconds

        def round_(force: bool) -> None:
            try:
                self.anchor_pending(force=force)
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
                if time.monotonic() >= deadline:
                    round_(force=True)
                    deadline = time.monotonic() + period

        self._thread = threading.Thread(target=loop, name="gongzhi-anchor", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.chain.close()
        self.db.dispose()
