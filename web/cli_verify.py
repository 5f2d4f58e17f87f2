"""`gongzhi verify ballot RECORD`: re-check an exported ballot record offline, then on chain."""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from pathlib import Path
from typing import Any

from contracts.anchor import AnchorContract
from contracts.chain import Chain
from contracts.embedded import EmbeddedChain
from contracts.errors import ChainError
from contracts.rpc import RpcChain
from identity.errors import IdentityError
from identity.w3c.dataintegrity import verify_signed_json
from ledger.tlog.errors import LedgerError
from voting.errors import VotingError
from web import cli_ledger
from web.record import check_record


def _read(path: str) -> dict[str, Any]:
    text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def _open_chain(args: argparse.Namespace) -> Chain | None:
    if args.rpc:
        # Reading needs no funds: a throwaway key that never signs anything.
        return RpcChain(args.rpc, secrets.token_bytes(32))
    if args.data:
        return EmbeddedChain(Path(args.data) / "chain")
    return None


def run_verify_ballot(args: argparse.Namespace) -> int:
    try:
        record = _read(args.record)
    except (OSError, ValueError) as exc:
        print(f"无法读取表决记录 / cannot read the ballot record: {exc}", file=sys.stderr)
        return 2
    print(f"核验表决记录 / verifying ballot record {record.get('origin')}")

    def verify_signed(doc: Any) -> str:
        return verify_signed_json(doc).controller

    chain: Chain | None = None
    anchor: AnchorContract | None = None
    try:
        chain = _open_chain(args)
        if chain is not None:
            expected = record.get("anchor", {}).get("chainId")
            if expected is not None and chain.chain_id != expected:
                print(
                    f"✗ 链 ID {chain.chain_id} 与记录中的 {expected} 不同 / chain id "
                    f"{chain.chain_id} differs from the record's {expected}"
                )
                return 1
            anchor = AnchorContract(chain, record["anchor"]["contract"])
    except ChainError as exc:
        print(f"! 无法连接区块链 / chain not reachable: {exc}")
    roots = frozenset(args.root or ())
    if not roots:  # not pinned: the issuers the record carries (say so)
        roots = frozenset(
            str(r.get("issuer")) for r in record.get("registrations") or [] if isinstance(r, dict)
        )
        print(
            "! 未指定街道办事处根 DID（--root），按记录所附备案的签发者核验 / no --root given: "
            "checking against the issuers of the registrations the record carries"
        )
    try:
        report = check_record(record, anchor=anchor, verify_signed=verify_signed, roots=roots)
    except ChainError as exc:
        report = check_record(record, anchor=None, verify_signed=verify_signed, roots=roots)
        report.lines.append(f"! {exc}")
    except (VotingError, IdentityError, LedgerError, KeyError, TypeError, ValueError) as exc:
        print(f"✗ 核验失败 / verification FAILED: {exc}")
        return 1
    finally:
        if chain is not None:
            chain.close()
    print("\n".join(report.lines))
    anchored = anchor is not None and not any(line.startswith("!") for line in report.lines)
    print(
        "结论：记录完整有效"
        + ("，已与链上锚定核对" if anchored else "（未核对链上锚定）")
        + " / verdict: the record is valid"
        + (", anchored on chain" if anchored else " (chain anchor NOT checked)")
    )
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    verify = subparsers.add_parser("verify", help="verify exported records")
    kinds = verify.add_subparsers(dest="kind", required=True)
    ballot = kinds.add_parser("ballot", help="verify a ballot record (from /api/ballots/ID/record)")
    ballot.add_argument("record", help="record file, or - for stdin")
    ballot.add_argument("--rpc", help="Ethereum JSON-RPC URL of the chain holding the anchors")
    ballot.add_argument("--data", help="data folder of a stopped server's embedded chain")
    ballot.add_argument(
        "--root",
        action="append",
        help="a street office root DID the committee's registration must be signed by",
    )
    ballot.set_defaults(func=run_verify_ballot)
    cli_ledger.register_verify(kinds)
