"""What `gongzhi verify ballot|ledger` and `gongzhi vc verify` share: the pinned trust input,
the chain it pins, the server's published trust file, and the exit codes.

Exit codes: 0 valid; 1 invalid (the reason is printed); 2 unreadable input, a bad trust file
among it; 3 incomplete — the chain could not be reached (the error is printed) and
``--offline`` was not given.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from contracts.anchor import AnchorContract
from contracts.chain import Chain
from contracts.embedded import EmbeddedChain, stored_chain_id
from contracts.errors import ChainError
from contracts.rpc import RpcChain
from identity.community.trustfile import (
    MAX_BYTES,
    WELL_KNOWN_PATH,
    PinnedTrust,
    TrustFileError,
    load_trust,
    parse_trust_bytes,
)
from identity.report import ChainState, Report

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2
EXIT_INCOMPLETE = 3
FETCH_TIMEOUT = 10.0


def add_arguments(parser: argparse.ArgumentParser, *, chain: bool = True) -> None:
    parser.add_argument(
        "--trust",
        required=True,
        metavar="TRUST.json",
        help="信任文件（链 ID、合约、街道办根 DID） / the pinned trust file (chain id, "
        "contract, street-office root DIDs)",
    )
    parser.add_argument(
        "--server",
        metavar="URL",
        help="对照该服务器公布的信任文件，不同时警告 / compare with the trust file this server "
        f"publishes at {WELL_KNOWN_PATH}; warn when it differs",
    )
    if not chain:
        return
    parser.add_argument("--rpc", help="Ethereum JSON-RPC URL of the pinned chain")
    parser.add_argument("--data", help="data folder of a stopped server's embedded chain")
    parser.add_argument(
        "--offline",
        action="store_true",
        help="不连接区块链（报告首尾注明） / do not ask the chain (the report says so at its "
        "top and its end)",
    )


def read_trust(args: argparse.Namespace) -> PinnedTrust | None:
    """The pinned trust, or None after printing why it cannot be read (exit 2)."""
    try:
        return load_trust(Path(args.trust))
    except TrustFileError as exc:
        print(f"信任文件无效 / bad trust file: {exc.zh} / {exc.en}", file=sys.stderr)
        return None


def fetch_server_trust(url: str) -> PinnedTrust:
    """The trust file a server publishes (`TrustFileError` when it cannot be had)."""
    if not url.startswith(("http://", "https://")):
        raise TrustFileError("服务器地址须以 http(s):// 开头", f"not an http(s) URL: {url[:80]}")
    target = url.rstrip("/") + WELL_KNOWN_PATH
    try:
        with urllib.request.urlopen(target, timeout=FETCH_TIMEOUT) as answer:
            data = answer.read(MAX_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise TrustFileError(
            f"无法取得 {target}", f"cannot fetch {target}: {getattr(exc, 'reason', exc)}"
        ) from exc
    return parse_trust_bytes(data)


def compare_with_server(trust: PinnedTrust, url: str | None, report: Report) -> None:
    """Warn (never fail) when the server's published trust differs from the pinned one:
    the pinned file decides; a difference means one of the two copies is not the office's."""
    if not url:
        return
    try:
        published = fetch_server_trust(url)
    except TrustFileError as exc:
        report.warn(
            f"未能对照服务器公布的信任文件：{exc.zh}",
            f"could not compare with the server's published trust file: {exc.en}",
        )
        return
    differences = trust.differences(published)
    if not differences:
        report.ok(
            f"服务器 {url} 公布的信任文件与所给的一致",
            f"the trust file {url} publishes is the one given",
        )
        return
    for zh, en in differences:
        report.warn(
            f"服务器 {url} 公布的信任文件与所给的不同：{zh}（以所给的为准）",
            f"the trust file {url} publishes differs from the one given: {en} (the given one "
            "is used)",
        )


class ChainRefused(Exception):
    """The chain answered, but it is not the pinned one: another chain id, or no contract at
    the pinned address. The verification is refused (exit 1), never taken as incomplete."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en
        super().__init__(f"{zh} / {en}")


def _wrong_id(trust: PinnedTrust, answered: int) -> ChainRefused:
    return ChainRefused(
        f"区块链的链 ID 为 {answered}，而信任文件固定的是 {trust.chain_id}",
        f"the chain answers with chain id {answered}, not the pinned {trust.chain_id}",
    )


@dataclass
class PinnedChain:
    """The anchoring contract on the pinned chain, or why it is not there."""

    anchor: AnchorContract | None
    state: ChainState
    error: str | None = None


def _open(args: argparse.Namespace, trust: PinnedTrust) -> Chain:
    if args.rpc:
        # Reading needs no funds: a throwaway key that never signs anything.
        return RpcChain(args.rpc, secrets.token_bytes(32), timeout=FETCH_TIMEOUT)
    if args.data:
        folder = Path(args.data) / "chain"
        stored = stored_chain_id(folder)
        if stored is None:
            raise ChainError(f"{folder} 中没有内置链", f"no embedded chain in {folder}")
        if stored != trust.chain_id:
            raise _wrong_id(trust, stored)
        return EmbeddedChain(folder, chain_id=stored)
    raise ChainError(
        "未指定区块链：请给出 --rpc URL 或 --data DIR，或用 --offline 离线核验",
        "no chain given: pass --rpc URL or --data DIR, or --offline",
    )


@contextmanager
def pinned_chain(args: argparse.Namespace, trust: PinnedTrust) -> Iterator[PinnedChain]:
    """The pinned contract on the chain `args` name, closed afterwards; `ChainRefused` when
    the chain's id is not the pinned one or the pinned contract is not on it (exit 1)."""
    if args.offline:
        yield PinnedChain(None, ChainState.OFFLINE)
        return
    try:
        chain = _open(args, trust)
    except ChainError as exc:
        yield PinnedChain(None, ChainState.UNREACHABLE, str(exc))
        return
    try:
        try:
            answered = chain.chain_id
            code = chain.code_at(trust.contract) if answered == trust.chain_id else b""
        except ChainError as exc:
            yield PinnedChain(None, ChainState.UNREACHABLE, str(exc))
            return
        if answered != trust.chain_id:
            raise _wrong_id(trust, answered)
        if not code:
            raise ChainRefused(
                f"链 {answered} 上的地址 {trust.contract} 没有合约",
                f"there is no contract at the pinned address {trust.contract} on chain {answered}",
            )
        yield PinnedChain(AnchorContract(chain, trust.contract), ChainState.NOT_CHECKED)
    finally:
        chain.close()


def refused(report: Report, exc: ChainRefused) -> int:
    return failed(report, f"{exc.zh}：拒绝核验", f"{exc.en}: refused")


def finish(report: Report, *, verdict_zh: str, verdict_en: str) -> int:
    """Print the report of a verification that passed every check; 0, or 3 if incomplete."""
    print("\n".join(report.render(valid=True, verdict_zh=verdict_zh, verdict_en=verdict_en)))
    return EXIT_VALID if report.complete else EXIT_INCOMPLETE


def failed(report: Report, zh: str, en: str) -> int:
    """Print what was checked before the failure, and the reason; 1."""
    print(
        "\n".join(
            report.render(
                valid=False,
                verdict_zh=f"核验失败：{zh}",
                verdict_en=f"verification FAILED: {en}",
            )
        )
    )
    return EXIT_INVALID
