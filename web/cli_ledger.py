"""`gongzhi ledger export` (server side) and `gongzhi verify ledger` (anyone, offline).

Export reads the server's database (settings from the environment, like `gongzhi serve`) and
writes the community's disclosure bundle as JSON lines; the anchors come from the chain in
the settings, or from ``--rpc`` (e.g. a running server's ``/chain/rpc``) when the embedded
chain is held by the server. Verify reads a bundle as a stream and says in Chinese and
English what it checked. Exit status: 0 valid, 1 invalid (the reason is printed), 2 the
bundle cannot be read.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import secrets
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, closing
from pathlib import Path
from typing import IO, Any

from contracts.anchor import AnchorContract
from contracts.chain import Chain
from contracts.embedded import EmbeddedChain
from contracts.errors import ChainError
from contracts.rpc import RpcChain
from identity.community.origins import disclosure_origin
from identity.errors import IdentityError
from ledger.disclosure.bundle_export import ChainAnchors, export_bundle
from ledger.disclosure.bundle_verify import (
    BundleError,
    BundleUnreadable,
    read_header,
    verify_bundle,
)
from ledger.disclosure.service import DisclosureLogs
from ledger.tlog.errors import LedgerError
from ledger.tlog.records import log_id_of
from voting.spending import ballot_decision


def _reader_chain(url: str) -> RpcChain:
    # Reading needs no funds: a throwaway key that never signs anything.
    return RpcChain(url, secrets.token_bytes(32), timeout=10)


# --- export -----------------------------------------------------------------------------------


def _contract_address(state_file: Path, chain_id: int) -> str | None:
    """The LogAnchor address the server recorded for this chain (`contracts.deploy`)."""
    try:
        records: list[dict[str, Any]] = json.loads(state_file.read_text("utf-8"))["deployments"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    found = [str(r["address"]) for r in records if r.get("chain_id") == chain_id]
    return found[-1] if found else None


def _export_chain(settings: Any, rpc: str | None, stack: ExitStack) -> Chain:
    url = rpc or settings.chain_rpc_url
    if url:
        return stack.enter_context(closing(_reader_chain(url)))
    try:
        return stack.enter_context(closing(EmbeddedChain(settings.data_dir / "chain")))
    except ChainError:
        # The running server holds the embedded chain: ask its read-only JSON-RPC view.
        return stack.enter_context(
            closing(_reader_chain(settings.public_url.rstrip("/") + "/chain/rpc"))
        )


class AnchorsUnreadable(Exception):
    """The chain's anchors could not be read: a bundle without them would look complete but
    could not be checked against the chain, so nothing is written."""


def _anchors(settings: Any, chain: Chain, origin: str) -> ChainAnchors:
    try:
        chain_id = chain.chain_id
    except ChainError as exc:
        raise AnchorsUnreadable(f"无法连接区块链 / chain not reachable: {exc}") from exc
    address = _contract_address(settings.data_dir / "contracts.json", chain_id)
    if address is None:
        raise AnchorsUnreadable(
            f"{settings.data_dir / 'contracts.json'} 中没有链 {chain_id} 上的 LogAnchor 部署记录"
            f" / no LogAnchor deployment on chain {chain_id} is recorded in "
            f"{settings.data_dir / 'contracts.json'}"
        )
    try:
        anchors = AnchorContract(chain, address).anchored(log_id_of(origin))
    except ChainError as exc:
        raise AnchorsUnreadable(
            f"无法从链 {chain_id} 的合约 {address} 读取锚定 / cannot read anchors from the "
            f"contract {address} on chain {chain_id}: {exc}"
        ) from exc
    return ChainAnchors(chain_id, address, anchors)


def run_export(args: argparse.Namespace) -> int:
    from identity.w3c.keys import KeyPair
    from web.auth import committee_key
    from web.db import Database
    from web.log_host import log_host
    from web.settings import Settings

    settings = Settings.from_env()
    committee: KeyPair = committee_key(settings)
    db = Database(settings.database_url)
    out_path = None if args.out == "-" else Path(args.out)
    temp = out_path.with_name(out_path.name + ".part") if out_path else None
    origin = args.community
    try:
        with ExitStack() as stack, db.session() as session:
            origin = disclosure_origin(log_host(session, settings.public_url), args.community)
            DisclosureLogs(session).get(origin)
            chain = (
                None
                if args.without_anchors
                else _anchors(settings, _export_chain(settings, args.rpc, stack), origin)
            )
            out: IO[str] = (
                stack.enter_context(open(temp, "w", encoding="utf-8")) if temp else sys.stdout
            )
            count = 0
            for line in export_bundle(
                session, origin, chain=chain, committee=[committee.did.value]
            ):
                out.write(line)
                count += 1
        if temp is not None and out_path is not None:
            os.replace(temp, out_path)
    except (LedgerError, IdentityError, ChainError, OSError, AnchorsUnreadable) as exc:
        if temp is not None:
            temp.unlink(missing_ok=True)
        print(f"✗ 导出失败，未写入文件 / export failed, nothing written: {exc}", file=sys.stderr)
        if isinstance(exc, AnchorsUnreadable):
            print(
                "  需要不含锚定的文件时请加 --without-anchors / pass --without-anchors for a "
                "bundle without anchors",
                file=sys.stderr,
            )
        return 1
    finally:
        db.dispose()
    print(f"已导出 {origin}：{count} 行 / exported {count} lines to {args.out}", file=sys.stderr)
    return 0


# --- verify -----------------------------------------------------------------------------------


def _lines(stream: IO[str]) -> Iterator[str]:
    for line in stream:
        yield line.rstrip("\n")


def _verify_chain(args: argparse.Namespace) -> Chain | None:
    if args.rpc:
        return _reader_chain(args.rpc)
    if args.data:
        return EmbeddedChain(Path(args.data) / "chain")
    return None


def run_verify_ledger(args: argparse.Namespace) -> int:
    try:
        stream: IO[str] = (
            sys.stdin if args.bundle == "-" else open(args.bundle, encoding="utf-8")  # noqa: SIM115
        )
    except OSError as exc:
        print(f"无法读取文件 / cannot read the bundle: {exc}", file=sys.stderr)
        return 2
    chain: Chain | None = None
    with stream:
        try:
            lines = _lines(stream)
            first = next(lines, "")
            header = read_header(first)
        except (BundleUnreadable, UnicodeDecodeError, OSError) as exc:
            print(f"无法读取文件 / cannot read the bundle: {exc}", file=sys.stderr)
            return 2
        print(f"核验公开信息文件 / verifying disclosure bundle {header.get('origin')}")
        anchor: AnchorContract | None = None
        try:
            chain = _verify_chain(args)
            stated = header.get("chain") or {}
            if chain is not None and stated:
                if chain.chain_id != stated.get("chainId"):
                    print(
                        f"✗ 链 ID {chain.chain_id} 与文件中的 {stated.get('chainId')} 不同 / "
                        f"chain id {chain.chain_id} differs from the bundle's"
                    )
                    return 1
                anchor = AnchorContract(chain, str(stated.get("contract")))
            elif chain is not None:
                print("! 文件未写明锚定合约 / the bundle names no anchoring contract")
        except ChainError as exc:
            print(f"! 无法连接区块链 / chain not reachable: {exc}")
            anchor = None
        try:
            with tempfile.TemporaryDirectory(prefix="gongzhi-verify-") as work:
                report = verify_bundle(
                    itertools.chain([first], lines),
                    workdir=Path(work) / "tree",
                    anchor=anchor,
                    read_ballot=ballot_decision,
                    committee=args.committee,
                    jobs=args.jobs,
                    # A regular file: the workers read their own chunks of it.
                    source=Path(args.bundle) if Path(args.bundle).is_file() else None,
                )
        except BundleUnreadable as exc:
            print(f"无法读取文件 / cannot read the bundle: {exc}", file=sys.stderr)
            return 2
        except (BundleError, LedgerError, IdentityError) as exc:
            print(f"✗ 核验失败 / verification FAILED: {exc}")
            return 1
        except UnicodeDecodeError as exc:
            print(f"✗ 文件不是 UTF-8 / the bundle is not UTF-8: {exc}")
            return 1
        finally:
            if chain is not None:
                chain.close()
    print("\n".join(report.lines))
    print(
        "结论：公开信息完整、未被篡改、账目相符"
        + ("，已与链上锚定核对" if report.chain_checked else "（未与链上锚定核对）")
        + " / verdict: the disclosures are complete, unaltered and reconcile"
        + (", anchors checked on chain" if report.chain_checked else " (chain anchors NOT checked)")
    )
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`gongzhi ledger export`."""
    ledger = subparsers.add_parser("ledger", help="disclosure logs (server side)")
    commands = ledger.add_subparsers(dest="ledger_command", required=True)
    export = commands.add_parser(
        "export", help="write a community's disclosure bundle (settings from the environment)"
    )
    export.add_argument("--community", required=True, help="the community's slug")
    export.add_argument("--rpc", help="JSON-RPC URL to read anchors from (default: settings)")
    export.add_argument(
        "--without-anchors",
        action="store_true",
        help="write the bundle without reading the chain (it then cannot be checked on chain)",
    )
    export.add_argument("out", help="bundle file to write (JSON lines), or - for stdout")
    export.set_defaults(func=run_export)


def register_verify(kinds: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`gongzhi verify ledger`, inside the `verify` group."""
    ledger = kinds.add_parser("ledger", help="verify a disclosure bundle (from `ledger export`)")
    ledger.add_argument("bundle", help="bundle file, or - for stdin")
    ledger.add_argument("--rpc", help="Ethereum JSON-RPC URL of the chain holding the anchors")
    ledger.add_argument("--data", help="data folder of a stopped server's embedded chain")
    ledger.add_argument("--committee", help="the owners' committee DID that must have signed")
    ledger.add_argument(
        "--jobs",
        type=int,
        default=min(os.cpu_count() or 1, 8),
        help="processes checking entries (default: the CPUs, at most 8)",
    )
    ledger.set_defaults(func=run_verify_ledger)
