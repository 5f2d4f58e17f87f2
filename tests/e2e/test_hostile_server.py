"""Hostile bodies against the real server (`gongzhi serve --demo` in its own process, so a
crash shows as a dead process, not as a failed test thread): deep JSON, oversized and
endless bodies are refused with a bilingual answer, and the server stays up."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

DEEP = b"[" * 70_000 + b"]" * 70_000  # 140 KB: under the body limit, far over the depth limit


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    def __init__(self, data: Path) -> None:
        port = _free_port()
        self.base = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "GONGZHI_DATA": str(data),
            "GONGZHI_HOST": "127.0.0.1",
            "GONGZHI_PORT": str(port),
            "GONGZHI_PUBLIC_URL": self.base,
        }
        env.pop("DATABASE_URL", None)
        env.pop("CHAIN_RPC_URL", None)
        self.log = (data / "server.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "web.cli.entry", "serve", "--demo"],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.port = port

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 180  # the demo community is seeded and anchored first
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output()
            try:
                if httpx.get(f"{self.base}/api/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)  # polling for start-up, not timing what is tested
        raise AssertionError(f"the server did not start: {self.output()}")

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-3000:]

    def assert_alive(self) -> None:
        assert self.process.poll() is None, f"the server died: {self.output()}"
        assert httpx.get(f"{self.base}/api/health", timeout=10).status_code == 200

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("hostile"))
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


def _bilingual(response: httpx.Response) -> dict[str, str]:
    error: dict[str, str] = response.json()["error"]
    assert error["zh"] and error["en"] and error["zh"] != error["en"]
    return error


@pytest.mark.parametrize("path", ["/api/auth/sign-in", "/api/ballots/1/votes"])
def test_deep_json_is_refused_and_the_server_stays_up(server: Server, path: str) -> None:
    r = httpx.post(
        server.base + path,
        content=DEEP,
        headers={"content-type": "application/json"},
        timeout=60,
    )
    assert r.status_code == 400, r.text
    assert "nested deeper than 32" in _bilingual(r)["en"]
    assert "content-security-policy" in r.headers  # refusals carry the security headers too
    server.assert_alive()


def test_deep_json_without_a_content_type_is_refused_too(server: Server) -> None:
    r = httpx.post(server.base + "/api/ballots/1/votes", content=DEEP, timeout=60)
    assert r.status_code == 400, r.text
    server.assert_alive()


def _raw(server: Server, head: bytes, body: bytes = b"") -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as sock:
        sock.sendall(head + body)
        answer = b""
        while b"\r\n\r\n" not in answer:
            part = sock.recv(65536)
            if not part:
                break
            answer += part
        return answer


def test_an_oversized_body_is_refused_by_its_length_before_it_is_sent(server: Server) -> None:
    # 50 MB announced and not one byte sent: the answer comes at once, nothing is read.
    head = (
        b"POST /api/auth/sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 52428800\r\n\r\n"
    )
    answer = _raw(server, head)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    server.assert_alive()


def test_a_chunked_body_is_cut_off_at_the_limit(server: Server) -> None:
    head = (
        b"POST /api/ballots/1/votes HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b" " * 65536
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(5))  # 320 KiB
    answer = _raw(server, head, body)  # no final chunk: the server must not wait for it
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    server.assert_alive()


def test_a_register_upload_over_ten_megabytes_is_refused_by_its_length(server: Server) -> None:
    head = (
        b"POST /api/communities/xianxia-demo/register HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: text/csv\r\nContent-Length: 10000001\r\n\r\n"
    )
    assert _raw(server, head).startswith(b"HTTP/1.1 413")
    server.assert_alive()


def test_no_module_the_server_imports_raises_the_recursion_limit() -> None:
    """py-evm and py_ecc raise it to 100,000 on import; then a thread's C stack overflows in
    the JSON decoder long before Python's own check fires."""
    script = (
        "import sys; before = sys.getrecursionlimit(); "
        "import web.server.app, web.cli.entry, web.cli.verify, web.cli.ledger, "
        "web.server.chain_rpc, "
        "contracts.embedded, contracts.rpc, eth, py_ecc; "
        "print(before, sys.getrecursionlimit())"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()
    assert out[0] == out[1], out
