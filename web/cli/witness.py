"""``gongzhi witness …``: a witness (street office, committee) cosigns a disclosure log.

* ``witness init --key FILE --name NAME`` — a new cosignature/v1 (Ed25519) witness key in a
  passphrase-protected key file; prints the verifier key (vkey) to register on the server
  (``POST /api/communities/{slug}/disclosures/witnesses``).
* ``witness cosign --server URL --community SLUG --key FILE --state DIR [--log-key VKEY]`` —
  fetches the log's newest checkpoint, checks the log's signature with the log key (pinned
  in DIR at first use, or given; it never changes afterwards), checks with an RFC 9162
  consistency proof that it extends the checkpoint this witness cosigned last, cosigns
  (C2SP tlog-cosignature, with a timestamp), records the checkpoint in DIR and posts the
  cosignature. A smaller tree or a fork is refused (exit 1), nothing posted or recorded.

As C2SP tlog-witness asks, the new checkpoint is recorded (atomically, under a lock) before
the cosignature leaves the machine, so no cosigned checkpoint is ever forgotten. Exit codes
as in `web.cli.keys`. The passphrase comes from ``GONGZHI_PASSPHRASE`` or is asked for.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from identity.community.committee import RegistrationChain
from identity.community.trustfile import load_trust
from identity.errors import IdentityError
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from ledger.tlog.checkpoint import cosign
from ledger.tlog.errors import ConsistencyError, LedgerError
from ledger.tlog.note_keys import CosignatureSigner, is_valid_key_name
from ledger.tlog.witness import (
    WitnessedLog,
    WitnessStateError,
    check_next,
    encode_state,
    log_verifier,
    needs_proof,
    open_new,
    parse_state,
)
from web.cli.keys import (
    EXIT_OK,
    EXIT_UNREACHABLE,
    Api,
    CliError,
    bad_input,
    create_key,
    open_key,
    refused,
    run,
    split_message,
    usage_of,
)

STATE_FILE = "witness-state.json"
PROG = "gongzhi witness"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    witness = subparsers.add_parser(
        "witness",
        help="见证人：联署检查点 / witness: cosign checkpoints",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    witness.set_defaults(func=usage_of(witness))
    commands = witness.add_subparsers(title="commands", metavar="COMMAND")

    init = commands.add_parser("init", help="新建见证人密钥 / a new witness key")
    init.add_argument("--key", type=Path, required=True, help="新密钥文件 / new key file")
    init.add_argument("--name", required=True, help="见证人名称 / witness name, e.g. xx-office")
    init.set_defaults(func=run_init)

    sign = commands.add_parser("cosign", help="核对并联署最新检查点 / check and cosign")
    sign.add_argument("--server", required=True, help="服务器地址 / server URL")
    sign.add_argument("--community", required=True, help="小区标识 / community id")
    sign.add_argument("--key", type=Path, required=True, help="见证人密钥文件 / witness key file")
    sign.add_argument("--state", type=Path, required=True, help="见证状态目录 / state folder")
    sign.add_argument("--log-key", help="日志公钥（vkey） / the log's verifier key")
    sign.add_argument(
        "--trust",
        type=Path,
        help="街道办事处的信任文件：日志公钥取自其根签发的现行业委会备案 / the street office's "
        "trust file: the log key is taken from the root-signed registration in force",
    )
    sign.set_defaults(func=run_cosign)


def run_init(args: argparse.Namespace) -> int:
    def body() -> int:
        if not is_valid_key_name(args.name) or len(args.name) > 100:
            raise bad_input(
                "见证人名称须非空，且不含空白与“+”（最多 100 字符）",
                "a witness name must be non-empty, without spaces or '+' (at most 100 chars)",
            )
        pair = KeyPair.generate(KeyType.ED25519)
        create_key(args.key, pair, name=args.name)
        signer = CosignatureSigner(args.name, pair.private_bytes())
        print("见证人公钥（请在服务器上登记） / witness verifier key (register it on the server):")
        print(signer.vkey)
        return EXIT_OK

    return run(PROG, body)


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One witness run per state folder at a time (two would race on its memory)."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle = (folder / ".lock").open("a")
    except OSError as exc:
        raise bad_input(
            f"无法使用状态目录 {folder}：{exc.strerror}",
            f"cannot use the state folder {folder}: {exc.strerror}",
        ) from exc
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise bad_input(
                f"另一个见证进程正在使用 {folder}", f"another witness run is using {folder}"
            ) from exc
        yield


def _read_state(folder: Path) -> dict[str, WitnessedLog]:
    path = folder / STATE_FILE
    if not path.exists():
        return {}
    try:
        return parse_state(path.read_bytes())
    except OSError as exc:
        raise bad_input(
            f"无法读取 {path}：{exc.strerror}", f"cannot read {path}: {exc.strerror}"
        ) from exc
    except WitnessStateError as exc:
        zh, en = split_message(exc)
        raise bad_input(f"{path}：{zh}", f"{path}: {en}") from exc


def _write_state(folder: Path, logs: dict[str, WitnessedLog]) -> None:
    """Replace the state file whole: written beside it, synced, renamed, folder synced."""
    path = folder / STATE_FILE
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".state-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(encode_state(logs))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    folder_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(folder_fd)
    finally:
        os.close(folder_fd)


def _pinned(
    api: Api, prefix: str, slug: str, memory: WitnessedLog | None, given: str | None
) -> WitnessedLog:
    """The log's key: as pinned; else as given; else the server's, pinned at first use."""
    if given is not None:
        try:
            given = log_verifier(given.strip()).vkey
        except LedgerError as exc:
            zh, en = split_message(exc)
            raise bad_input(f"--log-key 无效：{zh}", f"--log-key is invalid: {en}") from exc
    if memory is not None:
        if given is not None and given != memory.log_key:
            raise refused(
                f"--log-key 与首次使用时固定的日志公钥不同（{memory.log_key}）",
                f"--log-key differs from the log key pinned at first use ({memory.log_key})",
            )
        return memory
    if given is not None:
        return WitnessedLog(log_key=given)
    info = api.get_json(prefix)
    key = info.get("log_key") if isinstance(info, dict) else None
    if not isinstance(key, str):
        raise refused("服务器未给出日志公钥", "the server names no log key")
    try:
        pinned = WitnessedLog(log_key=log_verifier(key).vkey)
    except LedgerError as exc:
        zh, en = split_message(exc)
        raise refused(
            f"服务器给出的日志公钥无效：{zh}", f"the server's log key is invalid: {en}"
        ) from exc
    print(
        f"! 首次使用：固定服务器给出的日志公钥 / first use: pinning the log key the server "
        f"gives:\n  {pinned.log_key}\n  请与业委会备案中的 disclosureLogKey 核对 / check it "
        "against disclosureLogKey in the committee registration",
        file=sys.stderr,
    )
    return pinned


def _registered_log_key(api: Api, slug: str, trust_file: Path, given: str | None) -> str:
    """The disclosure log's key as the registration in force names it, the registrations
    checked as a chain against the trust file's roots (never the server's word)."""
    try:
        trust = load_trust(trust_file)
    except IdentityError as exc:
        raise bad_input(f"信任文件无效：{exc.zh}", f"the trust file is invalid: {exc.en}") from exc
    documents = api.get_json(f"/api/communities/{slug}/registrations")
    try:
        chain = RegistrationChain.of(
            documents if isinstance(documents, list) else [], trust.roots, slug
        )
    except IdentityError as exc:
        raise refused(
            f"服务器给出的业委会备案不可信：{exc.zh}",
            f"the server's committee registrations do not hold: {exc.en}",
        ) from exc
    current = chain.in_force(datetime.now(UTC))
    if current is None:
        raise refused("没有在任的业委会备案", "no committee registration is in force now")
    key = log_verifier(current.server.disclosure_log_key).vkey
    if given is not None and log_verifier(given.strip()).vkey != key:
        raise refused(
            "--log-key 与业委会备案中的 disclosureLogKey 不同",
            "--log-key differs from disclosureLogKey in the committee registration",
        )
    return key


def run_cosign(args: argparse.Namespace) -> int:
    def body() -> int:
        keyfile = open_key(args.key)
        if keyfile.name is None or keyfile.keypair.kind is not KeyType.ED25519:
            raise bad_input(
                f"{args.key} 不是见证人密钥（请用 gongzhi witness init 生成）",
                f"{args.key} is not a witness key (make one with gongzhi witness init)",
            )
        signer = CosignatureSigner(keyfile.name, keyfile.keypair.private_bytes())
        prefix = f"/api/communities/{args.community}/disclosures"
        with _locked(args.state), Api(args.server) as api:
            logs = _read_state(args.state)
            given = args.log_key
            if args.trust is not None:
                given = _registered_log_key(api, args.community, args.trust, given)
            memory = _pinned(api, prefix, args.community, logs.get(args.community), given)
            note = api.get_text(prefix + "/checkpoint/note")
            try:
                opened = open_new(memory, note)
                new = opened.checkpoint
                old_size = needs_proof(memory, new)
                proof: list[bytes] = []
                if old_size is not None:
                    answer = api.get_json(
                        prefix + "/proofs/consistency", {"old": old_size, "new": new.size}
                    )
                    proof = _proof(answer)
                check_next(memory, new, proof)
                line = cosign(
                    note, origin=new.origin, log_verifier=memory.verifier, cosigner=signer
                )
            except ConsistencyError as exc:
                zh, en = split_message(exc)
                raise refused(
                    f"拒绝联署：日志分叉或回退。{zh}",
                    f"cosignature refused: the log forked or rolled back. {en}",
                ) from exc
            except LedgerError as exc:
                zh, en = split_message(exc)
                raise refused(f"拒绝联署：{zh}", f"cosignature refused: {en}") from exc
            logs[args.community] = memory.after(opened, note)
            _write_state(args.state, logs)  # before the cosignature leaves (C2SP tlog-witness)
            api.post_json(
                f"{prefix}/checkpoints/{new.size}/cosignatures", {"line": line, "vkey": signer.vkey}
            )
        print(
            f"已联署 {new.origin} 大小 {new.size} 的检查点 / cosigned the checkpoint of "
            f"{new.origin} at size {new.size}"
        )
        return EXIT_OK

    return run(PROG, body)


def _proof(answer: object) -> list[bytes]:
    hashes = answer.get("proof") if isinstance(answer, dict) else None
    if not isinstance(hashes, list) or not all(isinstance(h, str) for h in hashes):
        raise CliError(
            EXIT_UNREACHABLE,
            "服务器的一致性证明格式不对",
            "the server's consistency proof is malformed",
        )
    try:
        return [bytes.fromhex(h) for h in hashes]
    except ValueError as exc:
        raise CliError(
            EXIT_UNREACHABLE, "一致性证明不是十六进制", "the consistency proof is not hex"
        ) from exc
