"""`gongzhi verify ledger BUNDLE --trust TRUST.json [--offline]`: anyone, offline.

Reads a disclosure bundle (from `gongzhi ledger export`) as a stream and says in Chinese and
English what it checked, with pinned trust (``--trust``, `web.cli.trust`). Exit status: 0
valid, 1 invalid (the reason is printed), 2 the bundle or the trust file cannot be read, 3
incomplete: the chain could not be reached (unless ``--offline``). Kept apart from the export,
which reads the server's database: a verifier imports none of the server's wiring (checked by
`lint-imports`).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from identity.errors import IdentityError
from ledger.disclosure.bundle_verify import (
    BundleError,
    BundleReport,
    BundleUnreadable,
    read_header,
    verify_bundle,
)
from ledger.tlog.errors import LedgerError
from voting.spending import ballot_decision
from web.cli import trust as cli_trust


def _lines(stream: IO[str]) -> Iterator[str]:
    for line in stream:
        yield line.rstrip("\n")


def run_verify_ledger(args: argparse.Namespace) -> int:
    """0 valid; 1 invalid; 2 unreadable bundle or trust file; 3 incomplete (no chain)."""
    trust = cli_trust.read_trust(args)
    if trust is None:
        return cli_trust.EXIT_UNREADABLE
    try:
        stream: IO[str] = (
            sys.stdin if args.bundle == "-" else open(args.bundle, encoding="utf-8")  # noqa: SIM115
        )
    except OSError as exc:
        print(f"无法读取文件 / cannot read the bundle: {exc}", file=sys.stderr)
        return cli_trust.EXIT_UNREADABLE
    report = BundleReport()
    with stream:
        try:
            lines = _lines(stream)
            first = next(lines, "")
            header = read_header(first)
        except (BundleUnreadable, UnicodeDecodeError, OSError) as exc:
            print(f"无法读取文件 / cannot read the bundle: {exc}", file=sys.stderr)
            return cli_trust.EXIT_UNREADABLE
        server = args.server or header.get("server")
        cli_trust.compare_with_server(trust, server if isinstance(server, str) else None, report)
        try:
            with (
                cli_trust.pinned_chain(args, trust) as pinned,
                tempfile.TemporaryDirectory(prefix="gongzhi-verify-") as work,
            ):
                report.chain, report.chain_error = pinned.state, pinned.error
                verify_bundle(
                    itertools.chain([first], lines),
                    workdir=Path(work) / "tree",
                    trust=trust,
                    anchor=pinned.anchor,
                    offline=args.offline,
                    read_ballot=ballot_decision,
                    jobs=args.jobs,
                    # A regular file: the workers read their own chunks of it.
                    source=Path(args.bundle) if Path(args.bundle).is_file() else None,
                    report=report,
                )
        except cli_trust.ChainRefused as exc:
            return cli_trust.refused(report, exc)
        except BundleUnreadable as exc:
            print(f"无法读取文件 / cannot read the bundle: {exc}", file=sys.stderr)
            return cli_trust.EXIT_UNREADABLE
        except (BundleError, LedgerError, IdentityError) as exc:
            return cli_trust.failed(report, str(exc), str(exc))
        except UnicodeDecodeError as exc:
            return cli_trust.failed(
                report, f"文件不是 UTF-8：{exc}", f"the bundle is not UTF-8: {exc}"
            )
    return cli_trust.finish(
        report,
        verdict_zh="公开信息完整、未被篡改、账目相符",
        verdict_en="the disclosures are complete, unaltered and reconcile",
    )


def register(kinds: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`gongzhi verify ledger`, inside the `verify` group."""
    ledger = kinds.add_parser("ledger", help="verify a disclosure bundle (from `ledger export`)")
    ledger.add_argument("bundle", help="bundle file, or - for stdin")
    cli_trust.add_arguments(ledger)
    ledger.add_argument(
        "--jobs",
        type=int,
        default=min(os.cpu_count() or 1, 8),
        help="processes checking entries (default: the CPUs, at most 8)",
    )
    ledger.set_defaults(func=run_verify_ledger)
