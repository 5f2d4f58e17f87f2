"""Pytest fixtures that run one suite on every chain backend: the embedded EVM and anvil.

anvil is the real binary from the npm package @foundry-rs/anvil, started once per session
on a free loopback port. Missing, it is skipped on a developer's machine and fails in CI
(`tests.backends.unavailable`).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from contracts.chain import Chain
from contracts.embedded import EmbeddedChain
from contracts.rpc import RpcChain
from tests.backends import unavailable

ROOT = Path(__file__).resolve().parent.parent
ANVIL_BINARIES = (
    ROOT / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil",
    ROOT / "node_modules" / ".bin" / "anvil",
)
# anvil's first two well-known dev accounts (from its default mnemonic): for this
# throwaway test node only.
ANVIL_KEYS = (
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
)
ANVIL_HARDFORK = "cancun"  # the evmVersion the contracts are compiled for


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []})
    request = urllib.request.Request(
        url, body.encode(), {"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=1) as response:
            return "result" in json.loads(response.read())
    except OSError:
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    # anvil runs in its own process group (the npm wrapper is a node process with a child):
    # end that group only.
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="session")
def anvil_url() -> Iterator[str]:
    """URL of a fresh anvil node on 127.0.0.1, for the whole session."""
    binary = next((b for b in ANVIL_BINARIES if b.exists()), None)
    if binary is None:
        unavailable("anvil (npm @foundry-rs/anvil in node_modules)")
        return
    for _attempt in range(3):  # the port may be taken between choosing and binding it
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        command = [str(binary), "--host", "127.0.0.1", "--port", str(port)]
        command += ["--hardfork", ANVIL_HARDFORK, "--silent"]
        process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < deadline:
            if _answers(url):
                try:
                    yield url
                finally:
                    _stop(process)
                return
            time.sleep(0.1)
        _stop(process)
    unavailable(f"anvil ({binary} did not answer on a loopback port)")


@pytest.fixture(params=["embedded", pytest.param("anvil", marks=pytest.mark.anvil)])
def chain(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Chain]:
    """A chain of each backend: a new embedded EVM in tmp_path, or the session's anvil."""
    backend: Chain
    if request.param == "embedded":
        backend = EmbeddedChain(tmp_path / "chain")
    else:
        backend = RpcChain(request.getfixturevalue("anvil_url"), ANVIL_KEYS[0])
    try:
        yield backend
    finally:
        backend.close()


@pytest.fixture
def stranger(chain: Chain, request: pytest.FixtureRequest) -> Chain:
    """The same chain as `chain`, signing with another account."""
    if isinstance(chain, EmbeddedChain):
        return chain.with_key(secrets.token_bytes(32))
    return RpcChain(request.getfixturevalue("anvil_url"), ANVIL_KEYS[1])
