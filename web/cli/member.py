"""``gongzhi member …``: a committee member's device key, their share of decisions, and the
ownership credentials they issue.

* ``member init --key FILE`` — a new device key (Ed25519) in a passphrase-protected key
  file; prints its DID, which the street office lists in the registration.
* ``member decisions --server URL --community SLUG [--applied]`` — the pending (or applied)
  decisions: what each decides, who signed, how many more are needed.
* ``member sign --server URL --community SLUG --key FILE [--decision ID] [--yes]`` — shows
  the decision in plain words and in full, asks, then posts this member's proof.
* ``member issue --server URL --community SLUG --key FILE [--yes]`` — signs the ownership
  credentials queued for this member (only those: see `identity.community.member_device`).

Exit codes as in `web.cli.keys`; the passphrase comes from ``GONGZHI_PASSPHRASE`` or is
asked for. Nothing is posted unless the member said yes (or gave ``--yes``).
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from identity.community.committee import decision_share
from identity.community.member_device import (
    PendingDecision,
    QueuedOwnership,
    RefusedToSign,
    check_queued,
    parse_listed,
    parse_pending,
)
from identity.errors import IdentityError
from identity.w3c.credential import sign_credential
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from web.cli.decision_text import credential_lines, summary
from web.cli.keys import (
    EXIT_OK,
    Api,
    bad_input,
    create_key,
    open_key,
    refused,
    run,
    split_message,
    usage_of,
)

PROG = "gongzhi member"
DECISIONS_PATH = "/api/communities/{slug}/decisions"
PENDING_CREDENTIALS_PATH = "/api/communities/{slug}/credentials/pending"
CREDENTIALS_PATH = "/api/communities/{slug}/credentials"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    member = subparsers.add_parser(
        "member",
        help="业委会委员：签署决定、签发凭证 / committee member: sign decisions and credentials",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    member.set_defaults(func=usage_of(member))
    commands = member.add_subparsers(title="commands", metavar="COMMAND")

    init = commands.add_parser("init", help="新建委员密钥 / a new member key")
    init.add_argument("--key", type=Path, required=True, help="新密钥文件 / new key file")
    init.set_defaults(func=run_init)

    listing = commands.add_parser("decisions", help="待签决定 / pending decisions")
    _server(listing)
    listing.add_argument("--applied", action="store_true", help="已生效的 / applied ones")
    listing.set_defaults(func=run_decisions)

    sign = commands.add_parser("sign", help="签署一项决定 / sign a decision")
    _server(sign)
    sign.add_argument("--key", type=Path, required=True, help="委员密钥文件 / member key file")
    sign.add_argument("--decision", help="决定编号 / decision id")
    sign.add_argument("--yes", action="store_true", help="不再询问 / do not ask")
    sign.set_defaults(func=run_sign)

    issue = commands.add_parser("issue", help="签发待签的业主凭证 / sign queued credentials")
    _server(issue)
    issue.add_argument("--key", type=Path, required=True, help="委员密钥文件 / member key file")
    issue.add_argument("--yes", action="store_true", help="不再询问 / do not ask")
    issue.set_defaults(func=run_issue)


def _server(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server", required=True, help="服务器地址 / server URL")
    parser.add_argument("--community", required=True, help="小区标识 / community id")


def _ask(question: str) -> bool:
    try:
        return input(question).strip().lower() in ("y", "yes", "是")
    except (EOFError, KeyboardInterrupt):
        return False


def run_init(args: argparse.Namespace) -> int:
    def body() -> int:
        pair = KeyPair.generate(KeyType.ED25519)
        create_key(args.key, pair)
        print("委员 DID（交街道办事处备案） / member DID (for the street office's registration):")
        print(pair.did.value)
        return EXIT_OK

    return run(PROG, body)


def _decisions(api: Api, slug: str, state: str) -> list[PendingDecision]:
    """The decisions as listed: summaries (a census by its size), to show, not to sign."""
    items = api.get_json(DECISIONS_PATH.format(slug=slug), {"state": state})
    if not isinstance(items, list):
        raise refused("服务器的决定列表格式不对", "the server's list of decisions is malformed")
    try:
        return [parse_listed(item, slug) for item in items]
    except RefusedToSign as exc:
        raise refused(exc.zh, exc.en) from exc


def _whole(api: Api, slug: str, listed: PendingDecision) -> PendingDecision:
    """The decision to sign, fetched whole and checked (its hash is the one listed)."""
    item = api.get_json(f"{DECISIONS_PATH.format(slug=slug)}/{listed.id}")
    try:
        decision = parse_pending(item, slug)
    except RefusedToSign as exc:
        raise refused(exc.zh, exc.en) from exc
    if decision.id != listed.id or decision.document_hash != listed.document_hash:
        raise refused(
            f"服务器给出的决定 {listed.id} 与列表中的不同",
            f"the server's decision {listed.id} differs from the one it listed",
        )
    return decision


def run_decisions(args: argparse.Namespace) -> int:
    def body() -> int:
        state = "applied" if args.applied else "pending"
        with Api(args.server) as api:
            decisions = _decisions(api, args.community, state)
        if not decisions:
            print("没有待签的决定 / no pending decisions" if state == "pending" else "—")
        for decision in decisions:
            print("\n".join(summary(decision)))
            print()
        return EXIT_OK

    return run(PROG, body)


def _pick(decisions: list[PendingDecision], wanted: str | None) -> PendingDecision:
    if wanted is not None:
        for decision in decisions:
            if decision.id == wanted:
                return decision
        raise bad_input(f"没有待签的决定 {wanted}", f"no pending decision {wanted}")
    if len(decisions) == 1:
        return decisions[0]
    if not decisions:
        raise bad_input("没有待签的决定", "there is no pending decision")
    ids = ", ".join(d.id for d in decisions)
    raise bad_input(
        f"有多项待签决定，请用 --decision 指定：{ids}",
        f"several decisions are pending; name one with --decision: {ids}",
    )


def run_sign(args: argparse.Namespace) -> int:
    def body() -> int:
        key = open_key(args.key).keypair
        with Api(args.server) as api:
            listed = _pick(_decisions(api, args.community, "pending"), args.decision)
            decision = _whole(api, args.community, listed)
            if key.did.value in decision.signers:
                raise bad_input("您已签署过此决定", "you have signed this decision already")
            print("\n".join(summary(decision)))
            print("全文 / full text:")
            print(json.dumps(decision.document, ensure_ascii=False, indent=2))
            if not args.yes and not _ask("签署此决定？/ sign this decision? [y/N] "):
                print("未签署 / not signed")
                return EXIT_OK
            try:
                proof = decision_share(decision.document, key, created=datetime.now(UTC))
            except IdentityError as exc:
                zh, en = split_message(exc)
                raise refused(zh, en) from exc
            answer = api.post_json(
                f"{DECISIONS_PATH.format(slug=args.community)}/{decision.id}/signatures",
                {"proof": proof},
            )
        state = answer.get("state") if isinstance(answer, dict) else None
        if state == "applied":
            print("已签署，决定已生效并写入日志 / signed: the decision took effect and is logged")
        else:
            print("已签署，等待其他委员 / signed: waiting for other members")
        return EXIT_OK

    return run(PROG, body)


def run_issue(args: argparse.Namespace) -> int:
    def body() -> int:
        key = open_key(args.key).keypair
        slug = args.community
        with Api(args.server) as api:
            items = api.get_json(
                PENDING_CREDENTIALS_PATH.format(slug=slug), {"issuer": key.did.value}
            )
            if not isinstance(items, list):
                raise refused(
                    "服务器的待签凭证格式不对", "the server's queued credentials are malformed"
                )
            try:
                queued = [check_queued(item, slug, key.did.value) for item in items]
            except RefusedToSign as exc:
                raise refused(exc.zh, exc.en) from exc
            if not queued:
                print("没有待签的凭证 / no credentials queued")
                return EXIT_OK
            for item in queued:
                print("\n".join(credential_lines(item)))
            question = (
                f"签发这 {len(queued)} 份凭证？/ sign these {len(queued)} credentials? [y/N] "
            )
            if not args.yes and not _ask(question):
                print("未签发 / not signed")
                return EXIT_OK
            signed = _sign_all(queued, key)
            api.post_json(CREDENTIALS_PATH.format(slug=slug), signed)
        print(f"已签发 {len(signed)} 份凭证 / signed {len(signed)} credentials")
        return EXIT_OK

    return run(PROG, body)


def _sign_all(queued: list[QueuedOwnership], key: KeyPair) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    try:
        return [sign_credential(q.credential, key, created=now) for q in queued]
    except IdentityError as exc:
        zh, en = split_message(exc)
        raise refused(zh, en) from exc
