"""`gongzhi election export ID [--data DIR | --url URL] -o BUNDLE`: write a closed ballot's
election record (`web.server.election`), from a stopped server's data folder or from a running
server, for `gongzhi verify election BUNDLE --trust TRUST.json`.

Exit codes: 0 written; 2 nothing written — the ballot is not closed (its votes are hidden
until close), does not exist, or the server or folder cannot be read.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from contracts.errors import ChainError
from identity.community.origins import election_record_url
from ledger.tlog.errors import LedgerError
from voting.errors import VotingError
from web.cli.trust import EXIT_UNREADABLE, EXIT_VALID, FETCH_TIMEOUT

MAX_BYTES = 512 * 1024 * 1024  # a 10,000-vote record is ~20 MB; refuse what no ballot makes


def _from_server(url: str, ballot_id: int) -> dict[str, Any]:
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"服务器地址须以 http(s):// 开头 / not an http(s) URL: {url[:80]}")
    target = election_record_url(url, ballot_id)
    try:
        with urllib.request.urlopen(target, timeout=FETCH_TIMEOUT * 6) as answer:
            data: dict[str, Any] = json.loads(answer.read(MAX_BYTES))
            return data
    except urllib.error.HTTPError as exc:
        try:
            error = json.loads(exc.read(65536))["error"]
            why = f"{error['zh']} / {error['en']}"
        except (ValueError, KeyError, TypeError):
            why = f"HTTP {exc.code}"
        raise ValueError(why) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise ValueError(
            f"无法连接服务器 {target} / cannot reach {target}: {getattr(exc, 'reason', exc)}"
        ) from exc


def _from_folder(folder: str | None, ballot_id: int) -> dict[str, Any]:
    from web.server.election import export_election
    from web.server.services import Services
    from web.server.settings import Settings

    env = dict(os.environ) | ({"GONGZHI_DATA": folder} if folder else {})
    services = Services.start(Settings.from_env(env))
    try:
        with services.db.session(write=False) as session:
            return export_election(session, services, ballot_id)
    finally:
        services.close()


def run_export(args: argparse.Namespace) -> int:
    try:
        if args.url:
            bundle = _from_server(args.url, args.ballot)
        else:
            bundle = _from_folder(args.data, args.ballot)
    except (VotingError, ValueError, ChainError, LedgerError, OSError) as exc:
        print(f"未导出 / not exported: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    Path(args.output).write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    votes = sum(1 for e in bundle["record"]["entries"] if '"type":"Vote"' in e)
    print(
        f"选举记录已写入 {args.output}（{len(bundle['record']['entries'])} 条，选票 {votes} 张）"
        f" / election record written to {args.output} "
        f"({len(bundle['record']['entries'])} entries, {votes} votes)"
    )
    return EXIT_VALID


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    election = subparsers.add_parser("election", help="选举记录 / election records")
    commands = election.add_subparsers(dest="election_command", required=True)
    export = commands.add_parser(
        "export", help="导出已结束表决的选举记录 / export a closed ballot's election record"
    )
    export.add_argument("ballot", type=int, help="表决编号 / ballot number")
    source = export.add_mutually_exclusive_group()
    source.add_argument("--data", help="停止的服务器的数据目录 / a stopped server's data folder")
    source.add_argument(
        "--url", help="运行中的服务器 / a running server, e.g. https://vote.example.cn"
    )
    export.add_argument("-o", "--output", required=True, help="输出文件 / the bundle to write")
    export.set_defaults(func=run_export)
