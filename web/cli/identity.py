"""``gongzhi did resolve DID`` and ``gongzhi vc verify FILE``: offline identity checks.

``did resolve`` prints the DID document of a did:key (Multikey form) as JSON; a malformed
or unsupported DID exits 2 with a bilingual message on stderr.

``vc verify FILE`` (``-`` reads stdin) verifies a credential and prints each check as it
passes (``✓ proof eddsa-jcs-2022 by did:key:…``). FILE holds one credential, a JSON array
whose first element is the credential and the rest its supporting credentials (the issuing
committee's registration), or a VerifiablePresentation whose ``verifiableCredential`` is
such a list. Exit 0: valid; 1: invalid (the reason is named); 2: unreadable input.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from identity.community.trust import ChainCache
from identity.community.vc import verify_credential
from identity.errors import IdentityError
from identity.report import ChainState, Report
from identity.w3c.clockskew import DEFAULT_CLOCK_SKEW, MAX_CLOCK_SKEW
from identity.w3c.credential import Check, load_status_list
from identity.w3c.didkey import resolve_did_key
from identity.w3c.failures import InvalidDid, StatusUnavailable, VerificationError
from identity.w3c.jcs import loads
from identity.w3c.statuslist import StatusList
from identity.w3c.xsdtime import parse
from web.cli import trust as cli_trust
from web.cli.keys import usage_of

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_BAD_INPUT = 2


class _BadInput(Exception):
    """Input that cannot be read or parsed; never leaves this module."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``did resolve`` and ``vc verify`` to the main parser; each handler sets ``func``."""
    did = subparsers.add_parser(
        "did",
        help="去中心化标识符 / decentralized identifiers (did:key)",
        description="去中心化标识符 / decentralized identifiers (did:key)",
    )
    did.set_defaults(func=usage_of(did))
    did_commands = did.add_subparsers(title="commands", metavar="COMMAND")
    resolve = did_commands.add_parser(
        "resolve",
        help="输出 DID 文档 / print the DID document",
        description="输出 did:key 的 DID 文档（JSON） / print the DID document of a did:key",
    )
    resolve.add_argument("did", metavar="DID", help="did:key:z…")
    resolve.set_defaults(func=run_did_resolve)

    vc = subparsers.add_parser(
        "vc",
        help="可验证凭证 / verifiable credentials",
        description="可验证凭证 / verifiable credentials",
    )
    vc.set_defaults(func=usage_of(vc))
    vc_commands = vc.add_subparsers(title="commands", metavar="COMMAND")
    verify = vc_commands.add_parser(
        "verify",
        help="离线验证凭证 / verify a credential offline",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verify.add_argument(
        "file", metavar="FILE", help="JSON 文件，- 表示标准输入 / JSON file, - for stdin"
    )
    verify.add_argument(
        "--trust",
        metavar="TRUST.json",
        help="信任文件：其中的街道办根 DID 为受信任的根 / the pinned trust file: its street-office "
        "root DIDs are the trusted roots",
    )
    verify.add_argument(
        "--root",
        metavar="DID",
        action="append",
        default=[],
        help="另加受信任的根（街道办）DID，可重复 / a further trusted root (street office) DID; "
        "repeatable",
    )
    verify.add_argument(
        "--status-list",
        metavar="FILE",
        action="append",
        default=[],
        help="本地状态列表凭证文件，可重复 / local status list credential file; repeatable",
    )
    verify.add_argument(
        "--now",
        metavar="ISO",
        help="验证时间，如 2025-06-01T00:00:00Z（默认现在） / "
        "verification time, e.g. 2025-06-01T00:00:00Z (default: now)",
    )
    verify.add_argument(
        "--clock-skew",
        metavar="SECONDS",
        default=str(int(DEFAULT_CLOCK_SKEW.total_seconds())),
        help="容许本机时钟与签发者相差的秒数（默认 300，0 为精确） / seconds this computer's "
        "clock may be off the issuers' (default 300; 0 for an exact verdict)",
    )
    verify.set_defaults(func=run_vc_verify)


def run_did_resolve(args: argparse.Namespace) -> int:
    """Handler of ``did resolve``: the DID document on stdout, or exit 2."""
    try:
        document = resolve_did_key(args.did)
    except InvalidDid as exc:
        print(f"gongzhi did resolve: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(json.dumps(document, indent=2, ensure_ascii=False))
    return EXIT_VALID


def _read_json(name: str) -> Any:
    try:
        data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as exc:
        raise _BadInput(f"无法读取 {name} / cannot read {name}: {exc.strerror}") from exc
    try:
        return loads(data)
    except IdentityError as exc:
        raise _BadInput(f"{name}: {exc}") from exc


def _split_input(document: Any) -> tuple[Any, list[Any], bool]:
    """(credential, supporting credentials, came in a presentation with its own proof)."""
    if isinstance(document, Mapping) and "VerifiablePresentation" in _types(document):
        items = document.get("verifiableCredential")
        items = items if isinstance(items, list) else [items]
        if not items or items[0] is None:
            raise _BadInput("凭证展示中没有凭证 / the presentation holds no verifiableCredential")
        return items[0], items[1:], "proof" in document
    if isinstance(document, list):
        if not document:
            raise _BadInput("JSON 数组为空 / empty JSON array")
        return document[0], document[1:], False
    return document, [], False


def _types(document: Mapping[str, Any]) -> list[Any]:
    value = document.get("type")
    return value if isinstance(value, list) else [value]


class _LocalStatusLists:
    """Status list credentials from files, verified on first use at the verification time."""

    def __init__(self, credentials: Sequence[Any], now: datetime, skew: timedelta) -> None:
        self._by_url: dict[str, Any] = {}
        for credential in credentials:
            if isinstance(credential, Mapping) and isinstance(credential.get("id"), str):
                self._by_url[credential["id"]] = credential
        self._now = now
        self._skew = skew
        self._loaded: dict[str, StatusList] = {}

    def __call__(self, url: str) -> StatusList:
        if url not in self._loaded:
            credential = self._by_url.get(url)
            if credential is None:
                raise StatusUnavailable("未提供状态列表", f"no --status-list file holds {url}")
            self._loaded[url] = load_status_list(credential, now=self._now, skew=self._skew)
        return self._loaded[url]


_STEP_ZH = {
    "structure": "结构",
    "proof": "签名",
    "validity": "有效期",
    "status": "状态",
    "trust": "签发链",
}


def _reporter(report: Report) -> Callable[[Check], None]:
    """Each check of `run_checks` as a line of the verifiers' one report, zh and en."""

    def add(check: Check) -> None:
        zh = _STEP_ZH.get(check.step, check.step)
        if check.checked:
            report.ok(zh, f"{check.step} {check.detail}")
        else:
            report.note(f"{zh}未核对", f"{check.step} {check.detail}")

    return add


def _clock_skew(text: str) -> timedelta:
    limit = int(MAX_CLOCK_SKEW.total_seconds())
    if not (text.isascii() and text.isdigit() and int(text) <= limit):
        raise IdentityError(
            f"--clock-skew 应为 0 到 {limit} 的整数秒",
            f"--clock-skew must be whole seconds from 0 to {limit}, got {text[:40]!r}",
        )
    return timedelta(seconds=int(text))


def run_vc_verify(args: argparse.Namespace) -> int:
    """Handler of ``vc verify``: 0 valid, 1 invalid (reason named), 2 unreadable input."""
    try:
        now = parse(args.now, field="--now") if args.now else datetime.now(UTC)
        skew = _clock_skew(args.clock_skew.strip())
    except IdentityError as exc:
        print(f"gongzhi vc verify: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        credential, chain, presentation_proof = _split_input(_read_json(args.file))
        lists: list[Any] = []
        for name in args.status_list:
            loaded = _read_json(name)
            lists.extend(loaded if isinstance(loaded, list) else [loaded])
    except _BadInput as exc:
        print(f"gongzhi vc verify: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT

    roots = set(args.root)
    if args.trust:
        pinned = cli_trust.read_trust(args)
        if pinned is None:
            return EXIT_BAD_INPUT
        roots |= pinned.roots
    report = Report(chain=ChainState.NOT_NEEDED)
    if isinstance(credential, Mapping):
        name = credential.get("id") or ", ".join(str(t) for t in _types(credential))
        report.subject_zh, report.subject_en = f"凭证 {name}", f"credential {name}"
    if presentation_proof:
        report.note(
            "凭证展示本身的签名未核对（仅作容器）",
            "presentation proof not checked (the presentation is only a container)",
        )
    status_lookup = _LocalStatusLists(lists, now, skew) if args.status_list else None
    try:
        verify_credential(
            credential,
            now=now,
            trusted_roots=roots,
            status_lookup=status_lookup,
            chain=chain,
            cache=ChainCache(),
            on_check=_reporter(report),
            skew=skew,
        )
    except VerificationError as exc:
        return _invalid(report, exc.reason, str(exc))
    except IdentityError as exc:  # e.g. a value JCS cannot canonicalize
        return _invalid(report, "malformed", str(exc))
    print(
        "\n".join(
            report.render(valid=True, verdict_zh="凭证有效", verdict_en="the credential is valid")
        )
    )
    return EXIT_VALID


def _invalid(report: Report, reason: str, message: str) -> int:
    print(f"✗ {reason}: {message}")
    lines = report.render(
        valid=False,
        verdict_zh=f"凭证无效（{reason}）",
        verdict_en=f"the credential is invalid ({reason})",
    )
    print("\n".join(lines))
    return EXIT_INVALID
