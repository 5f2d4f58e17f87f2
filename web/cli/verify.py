"""`gongzhi verify ballot RECORD --trust TRUST.json [--offline]`: re-check an exported ballot
record with pinned trust, then on the pinned chain.

Exit codes (`web.cli.trust`): 0 valid; 1 invalid (the reason is printed); 2 unreadable record
or trust file; 3 incomplete, the chain could not be reached (unless ``--offline``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from contracts.anchor import AnchorContract
from contracts.errors import ChainError
from contracts.registry import RecordedResult, RegistryContract
from identity.community.trustfile import PinnedTrust
from identity.errors import IdentityError
from identity.report import Report
from ledger.tlog.errors import LedgerError
from voting.election import RecordedOnChain, verify_election
from voting.errors import VotingError
from voting.verify import RecordError, verify_record
from web.cli import trust as cli_trust
from web.cli import verify_ledger as cli_verify_ledger


def _read(path: str) -> dict[str, Any]:
    text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


# What a verify command checks, given the file read, the pinned trust, the pinned chain
# and the report to add to.
Check = Callable[[dict[str, Any], PinnedTrust, cli_trust.PinnedChain, Report], None]


def _run_pinned(
    args: argparse.Namespace,
    path: str,
    *,
    what: tuple[str, str],
    server: Callable[[dict[str, Any]], object],
    check: Check,
    verdict: tuple[str, str],
) -> int:
    """One verify command: the trust file and the input read (exit 2 if either cannot be),
    the server's trust compared, `check` run on the pinned chain, and its outcome mapped to
    the exit codes of `web.cli.trust`."""
    trust = cli_trust.read_trust(args)
    if trust is None:
        return cli_trust.EXIT_UNREADABLE
    try:
        data = _read(path)
    except (OSError, ValueError) as exc:
        print(f"无法读取{what[0]} / cannot read the {what[1]}: {exc}", file=sys.stderr)
        return cli_trust.EXIT_UNREADABLE
    report = Report()
    named = server(data)
    cli_trust.compare_with_server(trust, named if isinstance(named, str) else None, report)
    try:
        with cli_trust.pinned_chain(args, trust) as pinned:
            report.chain, report.chain_error = pinned.state, pinned.error
            check(data, trust, pinned, report)
    except cli_trust.ChainRefused as exc:
        return cli_trust.refused(report, exc)
    except VotingError as exc:
        return cli_trust.failed(report, exc.zh, exc.en)
    except (IdentityError, LedgerError, ChainError, KeyError, TypeError, ValueError) as exc:
        return cli_trust.failed(report, str(exc), str(exc))
    return cli_trust.finish(report, verdict_zh=verdict[0], verdict_en=verdict[1])


def run_verify_ballot(args: argparse.Namespace) -> int:
    def check(
        record: dict[str, Any], trust: PinnedTrust, pinned: cli_trust.PinnedChain, report: Report
    ) -> None:
        verify_record(
            record,
            trust=trust,
            anchored_root=pinned.anchor.root_at if pinned.anchor is not None else None,
            offline=args.offline,
            report=report,
        )

    return _run_pinned(
        args,
        args.record,
        what=("表决记录", "ballot record"),
        server=lambda record: args.server or record.get("server"),
        check=check,
        verdict=("表决记录完整有效", "the ballot record is valid"),
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
    def check(
        bundle: dict[str, Any], trust: PinnedTrust, pinned: cli_trust.PinnedChain, report: Report
    ) -> None:
        anchor = pinned.anchor
        verify_election(
            bundle,
            trust=trust,
            anchored_root=anchor.root_at if anchor is not None else None,
            recorded_on_chain=_registry_on_chain(anchor, bundle) if anchor else None,
            offline=args.offline,
            report=report,
        )

    return _run_pinned(
        args,
        args.bundle,
        what=("选举记录", "election record"),
        server=lambda _bundle: args.server,
        check=check,
        verdict=(
            "选举记录完整有效：公告、名册、选票、业委会决定、锚定、计票与链上裁决均经核对",
            "the election record is valid: specification, census, votes, committee "
            "decisions, anchors, tally and the on-chain verdicts all checked",
        ),
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
    cli_verify_ledger.register(kinds)
