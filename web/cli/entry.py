"""The `gongzhi` command line: the server, and the checks auditors run offline."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from web.cli import admin as cli_admin
from web.cli import election as cli_election
from web.cli import identity as cli_identity
from web.cli import ledger as cli_ledger
from web.cli import member as cli_member
from web.cli import office as cli_office
from web.cli import rules as cli_rules
from web.cli import verify as cli_verify
from web.cli import witness as cli_witness
from web.cli.usage import BilingualParser, subcommands

KEEP_ALIVE_SECONDS = 75


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from web.api.live import Server
    from web.server.app import create_app
    from web.server.settings import Settings

    settings = Settings.from_env()
    app = create_app(settings, demo=args.demo)
    print(f"gongzhi 共治 — 打开 / open {settings.public_url}/", flush=True)
    # Keep idle connections longer than clients do (browsers ~60 s, most clients less), so a
    # client seldom sends a request just as we close its connection.
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
    Server(config, app.state.live).run()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = BilingualParser(
        prog="gongzhi", description="共治 gongzhi: verifiable owner voting and disclosure"
    )
    sub = subcommands(parser, dest="command", required=True)
    serve = sub.add_parser("serve", help="run the server (settings from the environment)")
    serve.add_argument("--demo", action="store_true", help="load the demo community if empty")
    serve.set_defaults(func=_serve)
    cli_rules.register(sub)
    cli_identity.register(sub)
    cli_verify.register(sub)
    cli_election.register(sub)
    cli_admin.register(sub)
    cli_ledger.register(sub)
    cli_office.register(sub)
    cli_member.register(sub)
    cli_witness.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
