"""``gongzhi admin …``: what the operator does on the data folder, without a running server.

* ``admin info`` — the trusted street office roots, the server's status key DID, the public
  origin proofs must name.
* ``admin create-community SLUG --name … --street-office …`` — set up a community. Its
  committee exists once the street office's registration (业委会备案) is stored.
* ``admin enrol-member SLUG [--role chair] [--days 7] [--qr FILE.svg|.png]`` — a one-time
  member enrolment code (and its URL, and a QR code if asked): the member redeems it on their
  own device, which records the device's DID for the street office to register.
* ``admin add-registration SLUG FILE`` / ``admin add-role SLUG FILE`` — store a
  registration or a role credential the street office signed on its own machine
  (``gongzhi office register`` / ``grant-role``), as the HTTP API does.
* ``admin operator-token`` — the token the HTTP API accepts for the same operator actions.
* ``admin backup DEST`` — the data folder (keys, contract file, embedded chain) and the
  database into the new folder DEST (mode 0700: it holds the keys), consistent while the
  server runs (`web.cli.backup`).
* ``admin restore SRC`` — that backup into an empty data folder and an empty database.

Settings come from the environment, as for ``gongzhi serve`` (``GONGZHI_DATA``,
``DATABASE_URL``, ``GONGZHI_PUBLIC_URL``, ``GONGZHI_TRUSTED_ROOTS``). Exit 0 on success, 1 when
the request is refused (the reason is printed, in Chinese and English).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from identity.community import enrolment, issuance, registrations
from identity.community.issuance import IssuanceError
from identity.community.registry import create_community, get_community
from identity.errors import IdentityError
from web.auth.sessions import IdentityRuntime
from web.cli import backup
from web.cli.keys import usage_of
from web.server.db import Database
from web.server.settings import Settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    admin = subparsers.add_parser(
        "admin",
        help="运维者操作 / operator actions on the data folder",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    admin.set_defaults(func=usage_of(admin))
    commands = admin.add_subparsers(title="commands", metavar="COMMAND")

    info = commands.add_parser(
        "info", help="受信任的根与状态列表密钥 / trusted roots and the status key"
    )
    info.set_defaults(func=run_info)

    create = commands.add_parser("create-community", help="建立小区 / set up a community")
    create.add_argument("slug", help="小区标识，如 xianxia-7 / community id, e.g. xianxia-7")
    create.add_argument("--name", required=True, help="小区名称 / community name")
    create.add_argument("--street-office", required=True, help="街道办 / street office")
    create.set_defaults(func=run_create_community)

    member = commands.add_parser(
        "enrol-member", help="首位业委会委员的登记码 / first committee member's code"
    )
    member.add_argument("slug")
    member.add_argument("--role", choices=("chair", "viceChair", "member"), default="chair")
    member.add_argument("--days", type=int, default=7, help="有效天数 / days valid (1–90)")
    member.add_argument("--qr", type=Path, help="把二维码写入 .svg 或 .png / write the QR code")
    member.set_defaults(func=run_enrol_member)

    for name, what, func in (
        (
            "add-registration",
            "存入街道办签发的备案 / store a signed registration",
            run_add_registration,
        ),
        ("add-role", "存入街道办签发的角色凭证 / store a signed role credential", run_add_role),
    ):
        upload = commands.add_parser(name, help=what)
        upload.add_argument("slug")
        upload.add_argument("file", type=Path, help="JSON 文件 / the signed JSON file")
        upload.set_defaults(func=func)

    token = commands.add_parser("operator-token", help="运维者令牌 / the operator token")
    token.set_defaults(func=run_operator_token)

    save = commands.add_parser("backup", help="备份数据目录与数据库 / back up folder and database")
    save.add_argument("dest", type=Path, help="新的备份目录 / a new (or empty) folder")
    save.set_defaults(func=run_backup)

    load = commands.add_parser("restore", help="恢复到空目录与空数据库 / restore into empty ones")
    load.add_argument("src", type=Path, help="由 admin backup 写出的目录 / an admin backup")
    load.set_defaults(func=run_restore)


def _open() -> tuple[Settings, Database, IdentityRuntime]:
    settings = Settings.from_env()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url)
    db.create_all()
    return settings, db, IdentityRuntime.start(settings)


def _refused(exc: IdentityError) -> int:
    print(f"gongzhi admin: {exc}", file=sys.stderr)
    return 1


def run_info(_: argparse.Namespace) -> int:
    """Two DIDs that are easily taken for each other, named for what each may do: the
    street offices' roots this server trusts (their keys stay on the offices' machines), and
    the server's own status-list key (it can revoke, never grant)."""
    settings = Settings.from_env()
    runtime = IdentityRuntime.start(settings)
    roots = sorted(runtime.issuers.trusted_roots)
    print("街道办事处根 DID（受信任，签发业委会备案与角色凭证；私钥在街道办） / street-office")
    print("root DIDs trusted here (they sign committee registrations and role credentials;")
    print("their keys stay with the street office):")
    for root in roots or ["—"]:
        print(f"  {root}")
    print("本服务器自己的状态列表密钥（只能撤销凭证，不能签发；不是根） / this server's own")
    print("status-list key (it can revoke credentials, never issue them; not a root):")
    print(f"  {runtime.issuers.status.did.value}")
    print(f"域名 / domain: {runtime.domain}")
    return 0


def run_create_community(args: argparse.Namespace) -> int:
    _, db, _runtime = _open()
    try:
        with db.session() as session:
            community = create_community(
                session, slug=args.slug, name=args.name, street_office=args.street_office
            )
            print(f"小区已建立 / community set up: {community.slug}")
            print(
                "业委会备案须由街道办签发后存入（admin add-registration） / its committee exists "
                "once the street office's registration is stored (admin add-registration)"
            )
    except IdentityError as exc:
        return _refused(exc)
    finally:
        db.dispose()
    return 0


def run_enrol_member(args: argparse.Namespace) -> int:
    _, db, runtime = _open()
    try:
        with db.session() as session:
            community = get_community(session, args.slug)
            code = enrolment.member_code(
                session,
                community=community,
                role=args.role,
                now=datetime.now(UTC),
                valid_for=timedelta(days=args.days),
            )
            pin = runtime.enrolment_pin(session, community)
    except IdentityError as exc:
        return _refused(exc)
    finally:
        db.dispose()
    url = runtime.enrol_url(code.code, pin)
    if args.qr is not None:
        from web.api.identity import qr_image

        data, _media = qr_image(url, "png" if args.qr.suffix.lower() == ".png" else "svg")
        args.qr.write_bytes(data)
    print(f"委员登记码（{code.role}，仅可使用一次） / member code ({code.role}, one use only):")
    print(code.code)
    print(url)
    print(f"有效至 / valid until {code.expires_at.isoformat(timespec='seconds')}")
    return 0


def _signed_file(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IssuanceError(f"无法读取 {path}", f"cannot read {path}: {exc}") from exc
    if not isinstance(document, dict):
        raise IssuanceError(f"{path} 不是 JSON 对象", f"{path} is not a JSON object")
    return document


def run_add_registration(args: argparse.Namespace) -> int:
    _, db, runtime = _open()
    try:
        document = _signed_file(args.file)
        with db.session() as session:
            reg = registrations.add(
                session, get_community(session, args.slug), document, runtime.issuers.trusted_roots
            )
        print(f"已存入第 {reg.sequence} 号备案 / stored registration {reg.sequence}: {reg.hash}")
    except IdentityError as exc:
        return _refused(exc)
    finally:
        db.dispose()
    return 0


def run_add_role(args: argparse.Namespace) -> int:
    settings, db, runtime = _open()
    try:
        document = _signed_file(args.file)
        with db.session() as session:
            row = issuance.store_role(
                session,
                community=get_community(session, args.slug),
                credential=document,
                roots=runtime.issuers.trusted_roots,
                now=datetime.now(UTC),
                skew=settings.clock_skew,
            )
            print(f"已存入角色凭证 / stored role credential {row.credential_id} ({row.role})")
    except IdentityError as exc:
        return _refused(exc)
    finally:
        db.dispose()
    return 0


def run_operator_token(_: argparse.Namespace) -> int:
    settings = Settings.from_env()
    print(settings.secret_file("operator.token").hex())
    return 0


def _target(settings: Settings) -> backup.Target:
    return backup.Target(data_dir=settings.data_dir, database_url=settings.database_url)


def run_backup(args: argparse.Namespace) -> int:
    try:
        manifest = backup.backup(_target(Settings.from_env()), args.dest)
    except (backup.BackupError, OSError) as exc:
        print(f"gongzhi admin: 备份失败 / backup failed: {exc}", file=sys.stderr)
        return 1
    for name in ("GONGZHI_PII_KEY", "CHAIN_PRIVATE_KEY"):
        if os.environ.get(name, "").strip():
            print(
                f"! {name} 来自环境变量，不在备份中，请另行保管 / {name} comes from the "
                "environment and is not in the backup: keep it safe separately",
                file=sys.stderr,
            )
    print(
        f"已备份 {len(manifest['files'])} 个文件到 {args.dest}（含密钥，请妥善保管） / backed up "
        f"{len(manifest['files'])} files to {args.dest} (it holds the keys: keep it secret)"
    )
    return 0


def run_restore(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    try:
        manifest = backup.restore(_target(settings), args.src)
    except (backup.BackupError, OSError) as exc:
        print(f"gongzhi admin: 恢复失败 / restore failed: {exc}", file=sys.stderr)
        return 1
    print(
        f"已从 {manifest['created']} 的备份恢复到 {settings.data_dir} / restored the backup of "
        f"{manifest['created']} into {settings.data_dir}"
    )
    return 0
