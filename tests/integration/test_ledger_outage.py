"""A chain outage delays anchoring, never publishing: with the server's own anchoring loop
running against anvil behind a proxy, the proxy is cut; the server keeps answering and
appending; when the chain returns the loop anchors everything in one batch, nothing lost."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from contracts.errors import ChainError
from identity.community.trustfile import WELL_KNOWN_PATH, parse_trust
from identity.w3c.dataintegrity import sign_json
from identity.w3c.keys import KeyPair
from ledger.disclosure.bundle_verify import verify_bundle
from ledger.tlog.store import LogStore
from tests import identity_web
from tests import ledger_disclosure_support as s
from tests.chains import ANVIL_KEYS
from tests.e2e.support import services_of
from voting.spending import ballot_decision
from web.demo.community import SLUG
from web.server.app import create_app
from web.server.settings import Settings

API = f"/api/communities/{SLUG}/disclosures"
pytestmark = pytest.mark.anvil


class Proxy:
    """A TCP forwarder on a fixed loopback port that can be cut and restored."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port: int = probe.getsockname()[1]
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # stopped
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        if self._listener is not None:
            # shutdown first: it wakes the thread blocked in accept(), which close() alone
            # does not, and would leave the port listening
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            for sock in self._open:  # shutdown wakes the pumps and tells both ends at once
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._open = []


@pytest.fixture
def proxy(anvil_url: str) -> Iterator[Proxy]:
    parsed = urlparse(anvil_url)
    p = Proxy((parsed.hostname or "127.0.0.1", parsed.port or 8545))
    p.start()
    try:
        yield p
    finally:
        p.stop()


def _wait(what: str, done: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _publish(
    client: TestClient, app: FastAPI, key: KeyPair, headers: dict[str, str], i: int
) -> None:
    origin = f"{services_of(app).public_host}/c/{SLUG}/disclosures"
    doc = {"type": "Disclosure", "log": origin, "kind": "Attachment", "publisher": key.did.value}
    body = s.attachment(f"第{i}次业主大会会议纪要") | {"category": "meeting_minutes"}
    r = client.post(f"{API}/entries", json=sign_json(doc | {"body": body}, key), headers=headers)
    assert r.status_code == 201, r.text


def _postponed(caplog: pytest.LogCaptureFixture) -> int:
    """How many anchoring attempts have been postponed by a chain error so far."""
    return sum("postponed" in r.getMessage() for r in list(caplog.records))


def test_outage_delays_anchoring_and_loses_nothing(
    tmp_path: Path, db_url: str, proxy: Proxy, caplog: pytest.LogCaptureFixture
) -> None:
    env = {
        "GONGZHI_DATA": str(tmp_path / "data"),
        "GONGZHI_PUBLIC_URL": "https://gongzhi.test",
        "CHAIN_RPC_URL": proxy.url,
        "CHAIN_PRIVATE_KEY": ANVIL_KEYS[1],  # not the key other anvil tests anchor with
        "GONGZHI_ANCHOR_SECONDS": "0.2",
        "GONGZHI_ANCHOR_EVERY": "1000",  # only the timed loop anchors here
    }
    if not db_url.startswith("sqlite"):
        env["DATABASE_URL"] = db_url
    app = create_app(Settings.from_env(env), demo=True, anchor_loop=True)
    with TestClient(app, raise_server_exceptions=False) as client:
        services = services_of(app)
        member, headers = identity_web.new_member(client, app, SLUG)

        def chain_size() -> int:
            with services.db.session() as session:
                log = LogStore(session).get_log(f"{services.public_host}/c/{SLUG}/disclosures")
            try:
                head = services.anchor.head(log.log_id)
            except ChainError:  # e.g. a pooled connection the outage closed: ask again
                return -1
            return head.tree_size if head else 0

        # the demo start published its own (演示) entries: let the loop anchor those first
        base = client.get(API).json()["size"]
        _wait("the demo's anchor", lambda: chain_size() == base)
        for i in range(3):
            _publish(client, app, member, headers, i)
        _wait("the first anchor", lambda: chain_size() == base + 3)

        proxy.stop()  # the chain is unreachable from here on
        failed = _postponed(caplog)
        for i in range(3, 7):
            _publish(client, app, member, headers, i)
        # several anchoring rounds fail meanwhile: counted, not guessed by sleeping
        _wait("two failed anchoring rounds", lambda: _postponed(caplog) >= failed + 2)
        info = client.get(API).json()
        assert info["size"] == base + 7
        page = client.get(f"/c/{SLUG}/disclosures")
        assert page.status_code == 200 and "尚未写入区块链" in page.text
        assert client.get(f"{API}/entries").status_code == 200

        proxy.start()  # the chain returns: the loop catches up in one batch
        _wait("the catch-up anchor", lambda: chain_size() == base + 7)
        with services.db.session() as session:
            store = LogStore(session)
            log = store.get_log(f"{services.public_host}/c/{SLUG}/disclosures")
            events = services.anchor.anchored(log.log_id)
            spans = [(e.previous_size, e.tree_size) for e in events]
            # each anchor extends the last (the loop may anchor between our publishes), and
            # the four entries appended during the outage went on chain in one batch
            assert [p for p, _ in spans] == [0] + [t for _, t in spans[:-1]]
            assert base in {t for _, t in spans} and spans[-1] == (base + 3, base + 7)
            assert all(e.root == store.root(log, e.tree_size) for e in events)
        lines = client.get(f"{API}/bundle").text.splitlines()
        trust = parse_trust(client.get(WELL_KNOWN_PATH).json())
        report = verify_bundle(
            lines,
            read_ballot=ballot_decision,
            workdir=tmp_path / "tree",
            trust=trust,
            anchor=services.anchor,
        )
        assert report.chain_checked and report.anchored_size == report.entries == base + 7
