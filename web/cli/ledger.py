"""`gongzhi ledger export` (server side); `gongzhi verify ledger` is `web.cli.verify_ledger`.

Export reads the server's database (settings from the environment, like `gongzhi serve`) and
writes the community's disclosure bundle as JSON lines; the anchors come from the chain in
the settings, or from ``--rpc`` (e.g. a running server's ``/chain/rpc``) when the embedded
chain is held by the server.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from contextlib import ExitStack, closing
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from contracts.anchor import CONTRACT as ANCHOR
from contracts.anchor import AnchorContract
from contracts.chain import Chain
from contracts.embedded import EmbeddedChain
from contracts.errors import ChainError
from contracts.rpc import RpcChain
from identity.community import issuance, registrations
from identity.community.models import Community
from identity.community.origins import disclosure_origin
from identity.community.registry import get_community
from identity.errors import IdentityError
from ledger.disclosure.bundle_export import ChainAnchors, export_bundle
from ledger.disclosure.service import DisclosureLogs
from ledger.tlog.errors import LedgerError
from ledger.tlog.records import log_id_of


def _reader_chain(url: str) -> RpcChain:
    # Reading needs no funds: a throwaway key that never signs anything.
    return RpcChain(url, secrets.token_bytes(32), timeout=10)


# --- export -----------------------------------------------------------------------------------


def _contract_address(state_file: Path, chain_id: int) -> str | None:
    """The LogAnchor address the server recorded for this chain (`contracts.deploy`); the
    file also records the BallotRegistry, and records older than it name no contract."""
    try:
        records: list[dict[str, Any]] = json.loads(state_file.read_text("utf-8"))["deployments"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    found = [
        str(r["address"])
        for r in records
        if r.get("chain_id") == chain_id and r.get("contract", ANCHOR) == ANCHOR
    ]
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


def _members(session: Session, community: Community, signed: list[dict[str, Any]]) -> list[str]:
    """The members of the registration in force now (listed as the bundle's committee
    publishers, as the API's export lists them). The roots are those that signed the stored
    registrations: the server stored each only after checking it against its trusted roots,
    and a verifier checks them again against its own pinned ones."""
    roots = frozenset(str(doc.get("issuer")) for doc in signed)
    try:
        current = registrations.in_force(session, community, roots, datetime.now(UTC))
    except IdentityError:
        return []
    return [m.did for m in current.members]


def run_export(args: argparse.Namespace) -> int:
    from web.server.db import Database
    from web.server.log_host import log_host
    from web.server.settings import Settings

    settings = Settings.from_env()
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
            community = get_community(session, args.community)
            signed = registrations.documents(session, community)
            for line in export_bundle(
                session,
                origin,
                chain=chain,
                committee=_members(session, community, signed),
                registrations=signed,
                roles=issuance.role_documents(session, community),
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
