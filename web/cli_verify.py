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

from contracts.errors import ChainError
from identity.errors import IdentityError
from identity.report import Report
from ledger.tlog.errors import LedgerError
from voting.errors import VotingError
from voting.verify import verify_record
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


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    verify = subparsers.add_parser("verify", help="verify exported records with pinned trust")
    kinds = verify.add_subparsers(dest="kind", required=True)
    ballot = kinds.add_parser("ballot", help="verify a ballot record (from /api/ballots/ID/record)")
    ballot.add_argument("record", help="record file, or - for stdin")
    cli_trust.add_arguments(ballot)
    ballot.set_defaults(func=run_verify_ballot)
    cli_ledger.register_verify(kinds)
