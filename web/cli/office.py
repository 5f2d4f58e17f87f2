"""``gongzhi office …``: the street office (街道办事处) on its own machine, with its root key.

* ``office init --key FILE`` — a new root key in a passphrase-protected key file; prints
  the root DID (to be pinned in trust files).
* ``office register --key FILE --community SLUG --member DID:ROLE … --from T --until T``
  ``[--rule 1/2] [--previous REG.json] (--status-issuer DID --log-key VKEY | --server URL)``
  ``--out FILE [--post --server URL]`` — signs the community's committee registration
  (业委会备案): sequence 1, or the one after ``--previous`` (naming its hash). ``--server``
  fetches the server's status-list DID and disclosure log key (printed, to be confirmed).
* ``office grant-role --key FILE --community SLUG --did DID --role propertyManager|auditor``
  ``--from T --until T --out FILE [--post --server URL]`` — the role credential of the
  community's property manager or an auditor.
* ``office trust --key FILE --chain-id N --contract 0x… --out FILE`` — the trust file
  verifiers pin, naming this office's root DID.

Times are ISO 8601 (``2026-03-01T00:00:00Z``) or a date (``2026-03-01``: midnight, Beijing
time). Nothing is written, and nothing posted, unless every check passed. Exit codes as in
`web.cli.keys`; the passphrase comes from ``GONGZHI_PASSPHRASE`` or is asked for.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from fractions import Fraction
from pathlib import Path
from typing import Any

from identity.community import committee, issuance
from identity.community.trustfile import TrustFileError, fingerprint, parse_trust, trust_bytes
from identity.errors import IdentityError
from identity.w3c.contexts import GONGZHI_V1_CONTEXT
from identity.w3c.credential import build_credential, sign_credential
from identity.w3c.didkey import Did, KeyType
from identity.w3c.keys import KeyPair
from identity.w3c.xsdtime import format_utc, parse
from ledger.tlog.errors import LedgerError
from ledger.tlog.note_keys import CosignatureVerifier, parse_vkey
from ledger.tlog.witness import log_verifier
from web.cli.keys import (
    EXIT_OK,
    Api,
    bad_input,
    create_key,
    dump_json,
    open_key,
    read_json_file,
    refused,
    run,
    split_message,
    usage_of,
    write_new_file,
)
from web.trust_qr import trust_qr_svg

PROG = "gongzhi office"
BEIJING = timezone(timedelta(hours=8))
#: Where the server takes what the office signed (the registration, a role credential).
REGISTRATIONS_PATH = "/api/communities/{slug}/registrations"
ROLES_PATH = "/api/communities/{slug}/roles"
MAX_TERM = timedelta(days=5 * 366 + 1)  # 业主委员会每届任期不超过五年
_RULE = re.compile(r"([1-9][0-9]?)/([1-9][0-9]{0,2})")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    office = subparsers.add_parser(
        "office",
        help="街道办事处：备案与角色凭证 / street office: registrations and roles",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    office.set_defaults(func=usage_of(office))
    commands = office.add_subparsers(title="commands", metavar="COMMAND")

    init = commands.add_parser("init", help="新建根密钥 / a new root key")
    init.add_argument("--key", type=Path, required=True, help="新密钥文件 / new key file")
    init.set_defaults(func=run_init)

    reg = commands.add_parser("register", help="签发业委会备案 / sign a committee registration")
    _key_community(reg)
    reg.add_argument(
        "--member",
        action="append",
        default=[],
        metavar="DID:ROLE",
        help="委员及职务 chair|viceChair|member，可重复 / member and role; repeat",
    )
    _term(reg)
    reg.add_argument("--rule", default="1/2", help="表决规则，超过此比例 / decision rule")
    reg.add_argument("--previous", type=Path, help="上一份备案 / the previous registration")
    reg.add_argument("--status-issuer", help="服务器状态列表 DID / server's status-list DID")
    reg.add_argument("--log-key", help="公示日志公钥 / the disclosure log's note key")
    reg.add_argument(
        "--witness",
        action="append",
        default=[],
        metavar="ROLE=VKEY",
        help="公示日志见证人 committee|street_office=公钥（`gongzhi witness init` 所印），可重复 / "
        "a witness of the disclosure log and its vkey (printed by `gongzhi witness init`); repeat",
    )
    _out_post(reg)
    reg.set_defaults(func=run_register)

    role = commands.add_parser("grant-role", help="物业或审计角色凭证 / a staff role credential")
    _key_community(role)
    role.add_argument("--did", required=True, help="持有人 DID / holder's DID")
    role.add_argument("--role", choices=issuance.STAFF_ROLES, required=True)
    _term(role)
    _out_post(role)
    role.set_defaults(func=run_grant_role)

    trust = commands.add_parser("trust", help="写出信任文件 / write the trust file")
    trust.add_argument("--key", type=Path, required=True, help="根密钥文件 / root key file")
    trust.add_argument("--chain-id", required=True, help="链 ID / chain id")
    trust.add_argument("--contract", required=True, help="锚定合约地址 / anchor contract")
    trust.add_argument("--out", type=Path, required=True, help="输出文件 / output file")
    trust.add_argument(
        "--qr",
        type=Path,
        help="另写出信任文件的二维码（SVG，印在公告上） / also write the trust file as a QR "
        "code (SVG, for printed notices)",
    )
    trust.set_defaults(func=run_trust)


def _key_community(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--key", type=Path, required=True, help="根密钥文件 / root key file")
    parser.add_argument("--community", required=True, help="小区标识 / community id")


def _term(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="valid_from", required=True, help="起 / from (ISO)")
    parser.add_argument("--until", dest="valid_until", required=True, help="止 / until (ISO)")


def _out_post(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="输出文件 / output file")
    parser.add_argument("--post", action="store_true", help="上传到服务器 / upload to --server")
    parser.add_argument("--server", help="服务器地址 / server URL")


# --- argument checks (pure) ---------------------------------------------------------------


def parse_time(text: str, flag: str) -> datetime:
    """An ISO 8601 time with its offset, or a date meaning midnight Beijing time."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            day = date.fromisoformat(text)
        except ValueError as exc:
            raise bad_input(f"{flag} 不是有效日期", f"{flag} is not a valid date") from exc
        return datetime(day.year, day.month, day.day, tzinfo=BEIJING).astimezone(UTC)
    try:
        return parse(text, field=flag).astimezone(UTC)
    except IdentityError as exc:
        raise bad_input(
            f"{flag} 须为 ISO 8601 时间（如 2026-03-01T00:00:00Z）或日期",
            f"{flag} must be an ISO 8601 time (e.g. 2026-03-01T00:00:00Z) or a date",
        ) from exc


def parse_term(valid_from: str, valid_until: str) -> tuple[datetime, datetime]:
    start, end = parse_time(valid_from, "--from"), parse_time(valid_until, "--until")
    if end <= start:
        raise bad_input("--until 须晚于 --from", "--until must be later than --from")
    if end - start > MAX_TERM:
        raise bad_input("任期不能超过五年", "a term cannot be longer than five years")
    return start, end


def parse_member(text: str) -> committee.Member:
    did, sep, role = text.rpartition(":")
    if not sep or role not in committee.ROLES:
        raise bad_input(
            f"--member 须为 DID:职务（{'、'.join(committee.ROLES)}）：{text[:80]}",
            f"--member must be DID:ROLE with ROLE one of {', '.join(committee.ROLES)}: {text[:80]}",
        )
    return committee.Member(check_did(did, "--member"), role)


def check_did(text: str, flag: str) -> str:
    try:
        return Did.parse(text).value
    except IdentityError as exc:
        raise bad_input(f"{flag} 不是有效的 did:key", f"{flag} is not a valid did:key") from exc


def parse_rule(text: str) -> Fraction:
    match = _RULE.fullmatch(text.strip())
    if match is None:
        raise bad_input("--rule 须为分数，如 1/2", "--rule must be a fraction such as 1/2")
    num, den = int(match.group(1)), int(match.group(2))
    if not 0 < num < den <= 100:
        raise bad_input(
            "--rule 须在 0 与 1 之间，分母不超过 100",
            "--rule must lie between 0 and 1, with a denominator of at most 100",
        )
    return Fraction(num, den)


def check_log_key(text: str, where: str) -> str:
    try:
        return log_verifier(text.strip()).vkey
    except LedgerError as exc:
        zh, en = split_message(exc)
        raise bad_input(f"{where} 无效：{zh}", f"{where} is invalid: {en}") from exc


# --- commands ---------------------------------------------------------------------------------


def run_init(args: argparse.Namespace) -> int:
    def body() -> int:
        pair = KeyPair.generate(KeyType.ED25519)
        create_key(args.key, pair)
        print("街道办事处根 DID（写入信任文件） / street office root DID (for trust files):")
        print(pair.did.value)
        return EXIT_OK

    return run(PROG, body)


def _check_post(args: argparse.Namespace) -> None:
    if args.post and not args.server:
        raise bad_input("--post 需要 --server", "--post needs --server")
    if args.out.exists() or args.out.is_symlink():
        raise bad_input(
            f"{args.out} 已存在，不会覆盖", f"{args.out} already exists and is not overwritten"
        )


def parse_witness(text: str) -> committee.WitnessKey:
    """``ROLE=VKEY``: a cosignature/v1 verifier key, and whether the committee or the street
    office holds it."""
    role, sep, vkey = text.partition("=")
    if not sep or role not in committee.WITNESS_ROLES:
        raise bad_input(
            f"--witness 须为 committee=公钥 或 street_office=公钥：{text[:80]!r}",
            f"--witness must be committee=VKEY or street_office=VKEY: {text[:80]!r}",
        )
    try:
        verifier = parse_vkey(vkey.strip())
    except LedgerError as exc:
        zh, en = split_message(exc)
        raise bad_input(f"--witness 公钥无效：{zh}", f"--witness key is invalid: {en}") from exc
    if not isinstance(verifier, CosignatureVerifier):
        raise bad_input(
            "--witness 公钥须为 cosignature/v1 类型", "--witness keys must be cosignature/v1 keys"
        )
    return committee.WitnessKey(verifier.vkey, role)


def _server_keys(args: argparse.Namespace) -> committee.ServerKeys:
    """The server's status-list DID and disclosure log key: given, or fetched (and shown)."""
    if args.status_issuer and args.log_key:
        return committee.ServerKeys(
            check_did(args.status_issuer, "--status-issuer"),
            check_log_key(args.log_key, "--log-key"),
        )
    if not args.server:
        raise bad_input(
            "需要 --status-issuer 与 --log-key，或 --server 以从服务器获取",
            "give --status-issuer and --log-key, or --server to fetch them",
        )
    slug = args.community
    with Api(args.server) as api:
        issuer = args.status_issuer or _issuer_of(
            api.get_json(f"/api/communities/{slug}/status-list")
        )
        log_key = args.log_key or _log_key_of(api.get_json(f"/api/communities/{slug}/disclosures"))
    keys = committee.ServerKeys(
        check_did(issuer, "statusIssuer"), check_log_key(log_key, "disclosureLogKey")
    )
    print(
        "! 从服务器获取，请与运维者当面核对 / fetched from the server; confirm with its operator:\n"
        f"  statusIssuer     {keys.status_issuer}\n  disclosureLogKey {keys.disclosure_log_key}",
        file=sys.stderr,
    )
    return keys


def _issuer_of(document: Any) -> str:
    issuer = document.get("issuer") if isinstance(document, dict) else None
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    if not isinstance(issuer, str):
        raise refused("服务器的状态列表未写明签发者", "the server's status list names no issuer")
    return issuer


def _log_key_of(document: Any) -> str:
    key = document.get("log_key") if isinstance(document, dict) else None
    if not isinstance(key, str):
        raise refused("服务器未给出公示日志公钥", "the server names no disclosure log key")
    return key


def _previous(path: Path, root: KeyPair, community: str) -> committee.Registration:
    try:
        previous = committee.verify_registration(read_json_file(path), frozenset({root.did.value}))
    except committee.RegistrationError as exc:
        raise bad_input(f"--previous {path}：{exc.zh}", f"--previous {path}: {exc.en}") from exc
    if previous.community != community:
        raise bad_input(
            f"--previous 是小区 {previous.community} 的备案",
            f"--previous is a registration of community {previous.community}",
        )
    return previous


def _post(args: argparse.Namespace, path: str, document: dict[str, Any]) -> None:
    with Api(args.server) as api:
        api.post_json(path.format(slug=args.community), document)
    print(f"已上传到 {args.server} / uploaded to {args.server}")


def run_register(args: argparse.Namespace) -> int:
    def body() -> int:
        _check_post(args)
        members = [parse_member(m) for m in args.member]
        if not members:
            raise bad_input("至少需要一个 --member", "at least one --member is needed")
        start, end = parse_term(args.valid_from, args.valid_until)
        rule = parse_rule(args.rule)
        server = _server_keys(args)
        witnesses = [parse_witness(w) for w in args.witness]
        root = open_key(args.key).keypair
        previous = _previous(args.previous, root, args.community) if args.previous else None
        try:
            unsigned = committee.build_registration(
                root=root.did.value,
                community=args.community,
                sequence=previous.sequence + 1 if previous else 1,
                previous=previous.hash if previous else None,
                members=members,
                server=server,
                valid_from=start,
                valid_until=end,
                rule=rule,
                witnesses=witnesses,
            )
            signed = committee.sign_registration(unsigned, root, created=datetime.now(UTC))
            reg = committee.verify_registration(signed, frozenset({root.did.value}))
        except IdentityError as exc:
            zh, en = split_message(exc)
            raise bad_input(zh, en) from exc
        write_new_file(args.out, dump_json(signed))
        print(
            f"已签发 {reg.community} 第 {reg.sequence} 号业委会备案 / signed registration "
            f"{reg.sequence} of {reg.community}: {len(reg.members)} members, more than "
            f"{reg.rule} must sign, {format_utc(reg.valid_from)} – {format_utc(reg.valid_until)}"
        )
        print(f"hash {reg.hash}")
        if args.post:
            _post(args, REGISTRATIONS_PATH, signed)
        return EXIT_OK

    return run(PROG, body)


def role_credential(
    *, root: KeyPair, holder: str, community: str, role: str, start: datetime, end: datetime
) -> dict[str, Any]:
    """The office's signed ``CommunityRoleCredential``. Unlike the server-issued one it has
    no status entry (the office is offline and keeps no status list): it ends at its term,
    and a new role credential or registration replaces it."""
    if role not in issuance.STAFF_ROLES:
        raise bad_input("未知的角色", f"unknown role {role[:40]!r}")
    unsigned = build_credential(
        issuer=root.did.value,
        types=[issuance.ROLE_CREDENTIAL],
        subject={"id": holder, "communityId": community, "role": role},
        valid_from=start,
        valid_until=end,
        contexts=[GONGZHI_V1_CONTEXT],
    )
    return sign_credential(unsigned, root, created=datetime.now(UTC))


def run_grant_role(args: argparse.Namespace) -> int:
    def body() -> int:
        _check_post(args)
        holder = check_did(args.did, "--did")
        start, end = parse_term(args.valid_from, args.valid_until)
        root = open_key(args.key).keypair
        try:
            signed = role_credential(
                root=root,
                holder=holder,
                community=args.community,
                role=args.role,
                start=start,
                end=end,
            )
        except IdentityError as exc:
            zh, en = split_message(exc)
            raise bad_input(zh, en) from exc
        write_new_file(args.out, dump_json(signed))
        print(f"已签发 {args.role} 角色凭证 / signed the {args.role} credential for {holder}")
        if args.post:
            _post(args, ROLES_PATH, signed)
        return EXIT_OK

    return run(PROG, body)


def run_trust(args: argparse.Namespace) -> int:
    def body() -> int:
        if args.out.exists() or args.out.is_symlink():
            raise bad_input(
                f"{args.out} 已存在，不会覆盖", f"{args.out} already exists and is not overwritten"
            )
        text = args.chain_id.strip()
        if not (text.isascii() and text.isdigit()):
            raise bad_input("--chain-id 须为正整数", "--chain-id must be a positive integer")
        root = open_key(args.key).keypair
        try:
            trust = parse_trust(
                {
                    "type": "GongzhiTrust",
                    "version": 1,
                    "chainId": int(text),
                    "contract": args.contract,
                    "roots": [root.did.value],
                }
            )
        except TrustFileError as exc:
            raise bad_input(exc.zh, exc.en) from exc
        if args.qr is not None and (args.qr.exists() or args.qr.is_symlink()):
            raise bad_input(
                f"{args.qr} 已存在，不会覆盖", f"{args.qr} already exists and is not overwritten"
            )
        document = trust_bytes(trust)
        write_new_file(args.out, document)
        print(f"已写出信任文件 {args.out} / wrote the trust file {args.out}")
        print(f"指纹 / fingerprint: {fingerprint(document)}")
        if args.qr is not None:
            # The very bytes of the trust file: a phone scanning a printed notice pins the
            # same chain, contract and roots a verifier is given.
            write_new_file(args.qr, trust_qr_svg(trust))
            print(f"已写出二维码 {args.qr} / wrote the QR code {args.qr}")
        return EXIT_OK

    return run(PROG, body)
