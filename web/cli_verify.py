"""`gongzhi verify ballot RECORD --trust TRUST.json [--offline]`: re-check an exported ballot
record with pinned trust, then on the pinned chain.

Exit codes (`web.cli_trust`): 0 valid; 1 invalid (the reason is printed); 2 unreadable record
or trust file; 3 incomplete, the chain could not be reached (unless ``--offline``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from contracts.anchor import AnchorContract
from contracts.errors import ChainError
from contracts.registry import RecordedResult, RegistryContract
from identity.errors import IdentityError
from identity.report import Report
from ledger.tlog.errors import LedgerError
from voting.election import RecordedOnChain, verify_election
from voting.errors import VotingError
from voting.verify import RecordError, verify_record
from web import cli_ledger, cli_trust


def _read(path: str) -> dict[str, Any]:
    text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def run_verify_ballot(args: argparse.Namespace) -> int:
    trust = cli_trust.read_trust(args)
    if trust is None:
        return cli_trust.EXIT_UNREADABLE
    try:
        record = _read(args.record)
    except (OSError, ValueError) as exc:
        print(f"无法读取表决记录 / cannot read the ballot record: {exc}", file=sys.stderr)
        return cli_trust.EXIT_UNREADABLE
    report = Report()
    server = args.server or record.get("server")
    cli_trust.compare_with_server(trust, server if isinstance(server, str) else None, report)
    try:
        with cli_trust.pinned_chain(args, trust) as pinned:
            report.chain, report.chain_error = pinned.state, pinned.error
            verify_record(
                record,
                trust=trust,
                anchored_root=pinned.anchor.root_at if pinned.anchor is not None else None,
                offline=args.offline,
                report=report,
            )
    except cli_trust.ChainRefused as exc:
        return cli_trust.refused(report, exc)
    except VotingError as exc:
        return cli_trust.failed(report, exc.zh, exc.en)
    except (IdentityError, LedgerError, ChainError, KeyError, TypeError, ValueError) as exc:
        return cli_trust.failed(report, str(exc), str(exc))
    return cli_trust.finish(
        report, verdict_zh="表决记录完整有效", verdict_en="the ballot record is valid"
    )


def _registry_on_chain(anchor: AnchorContract, bundle: dict[str, Any]) -> RecordedOnChain | None:
    """The BallotRegistry the bundle names, read on the pinned chain — accepted only if its
    recorder is an anchorer of the pinned LogAnchor (the trust file pins the anchor, not the
    registry: a registry deployed by anyone else does not speak for this server)."""
    section = bundle.get("registry")
    address = section.get("contract") if isinstance(section, dict) else None
    if not isinstance(address, str):
        return None
    registry = RegistryContract(anchor.chain, address)

    def read(log_id: bytes) -> RecordedResult | None:
        if not anchor.chain.code_at(address):
            raise RecordError(
                f"链上地址 {address} 没有表决结果登记合约",
                f"there is no ballot registry at {address} on the pinned chain",
            )
        recorder = registry.recorder()
        if not anchor.is_anchorer(recorder):
            raise RecordError(
                f"登记合约 {address} 的记录人 {recorder} 不是受信任锚定合约的锚定人",
                f"the registry at {address} is recorded by {recorder}, who is no anchorer of "
                "the pinned LogAnchor",
            )
        return registry.read_result(log_id)

    return read


def run_verify_election(args: argparse.Namespace) -> int:
    trust = cli_trust.read_trust(args)
    if trust is None:
        return cli_trust.EXIT_UNREADABLE
    try:
        bundle = _read(args.bundle)
    except (OSError, ValueError) as exc:
        print(f"无法读取选举记录 / cannot read the election record: {exc}", file=sys.stderr)
        return cli_trust.EXIT_UNREADABLE
    report = Report()
    cli_trust.compare_with_server(trust, args.server, report)
    try:
        with cli_trust.pinned_chain(args, trust) as pinned:
            report.chain, report.chain_error = pinned.state, pinned.error
            anchor = pinned.anchor
            verify_election(
                bundle,
                trust=trust,
                anchored_root=anchor.root_at if anchor is not None else None,
                recorded_on_chain=_registry_on_chain(anchor, bundle) if anchor else None,
                offline=args.offline,
                report=report,
            )
    except cli_trust.ChainRefused as exc:
        return cli_trust.refused(report, exc)
    except VotingError as exc:
        return cli_trust.failed(report, exc.zh, exc.en)
    except (IdentityError, LedgerError, ChainError, KeyError, TypeError, ValueError) as exc:
        return cli_trust.failed(report, str(exc), str(exc))
    return cli_trust.finish(
        report,
        verdict_zh="选举记录完整有效：公告、名册、选票、业委会决定、锚定、计票与链上裁决均经核对",
        verdict_en="the election record is valid: specification, census, votes, committee "
        "decisions, anchors, tally and the on-chain verdicts all checked",
    )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    verify = subparsers.add_parser("verify", help="verify exported records with pinned trust")
    kinds = verify.add_subparsers(dest="kind", required=True)
    ballot = kinds.add_parser("ballot", help="verify a ballot record (from /api/ballots/ID/record)")
    ballot.add_argument("record", help="record file, or - for stdin")
    cli_trust.add_arguments(ballot)
    ballot.set_defaults(func=run_verify_ballot)
    election = kinds.add_parser(
        "election", help="verify an election record (from gongzhi election export)"
    )
    election.add_argument("bundle", help="election record file, or - for stdin")
    cli_trust.add_arguments(election)
    election.set_defaults(func=run_verify_election)
    cli_ledger.register_verify(kinds)
