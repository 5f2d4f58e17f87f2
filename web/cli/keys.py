"""What ``gongzhi office``, ``member`` and ``witness`` share: key files, passphrases, the API.

Exit codes of these commands: 0 done; 1 refused (by the server, or because what it served
does not check out); 2 bad input (arguments, key file, passphrase) — nothing written;
3 the server could not be reached or answered out of turn.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from identity.errors import IdentityError
from identity.w3c.jcs import loads
from identity.w3c.keyfile import (
    DEFAULT_COST,
    PASSPHRASE_ENV,
    KeyFile,
    KeyFileError,
    check_passphrase,
    open_key_file,
    write_key_file,
)
from identity.w3c.keys import KeyPair

EXIT_OK, EXIT_REFUSED, EXIT_BAD_INPUT, EXIT_UNREACHABLE = 0, 1, 2, 3
TIMEOUT_SECONDS = 30.0
MAX_ANSWER_BYTES = 16 * 1024 * 1024
#: Only tests set this: a transport that plays the server in-process (httpx.MockTransport).
TEST_TRANSPORT: list[httpx.BaseTransport] = []


class CliError(Exception):
    """Why a command stops, with its exit code; ``zh`` and ``en`` kept apart."""

    def __init__(self, code: int, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.code, self.zh, self.en = code, zh, en


def bad_input(zh: str, en: str) -> CliError:
    return CliError(EXIT_BAD_INPUT, zh, en)


def refused(zh: str, en: str) -> CliError:
    return CliError(EXIT_REFUSED, zh, en)


def split_message(exc: Exception) -> tuple[str, str]:
    """(zh, en) of one of the project's errors: its fields, else its ``zh / en`` text."""
    zh, en = getattr(exc, "zh", None), getattr(exc, "en", None)
    if isinstance(zh, str) and isinstance(en, str):
        return zh, en
    text = str(exc)
    first, sep, second = text.partition(" / ")
    return (first, second) if sep else (text, text)


def usage_of(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    """What a command group does when given no command: print its usage, exit 2."""

    def usage(_: argparse.Namespace) -> int:
        parser.print_usage(sys.stderr)
        print(
            f"{parser.prog}: 请指定一个命令（-h 查看帮助） / a command is needed (see -h)",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT

    return usage


def run(prog: str, body: Callable[[], int]) -> int:
    """Run a command's body; a `CliError` is printed (Chinese, then English) as its exit."""
    try:
        return body()
    except CliError as exc:
        print(f"{prog}: {exc.zh}\n{prog}: {exc.en}", file=sys.stderr)
        return exc.code


# --- passphrases and key files ----------------------------------------------------------------

Prompt = Callable[[str], str]


def read_passphrase(*, new: bool, prompt: Prompt = getpass.getpass) -> str:
    """``GONGZHI_PASSPHRASE`` when set, else asked for (twice for a new key file)."""
    env = os.environ.get(PASSPHRASE_ENV)
    if env is not None:
        passphrase = env
    else:
        try:
            passphrase = prompt("口令 / passphrase: ")
            if new and prompt("再输一次 / again: ") != passphrase:
                raise bad_input("两次输入的口令不一致", "the two passphrases differ")
        except (EOFError, KeyboardInterrupt) as exc:
            raise bad_input("未输入口令", "no passphrase given") from exc
    if new:
        try:
            check_passphrase(passphrase)
        except KeyFileError as exc:
            raise bad_input(exc.zh, exc.en) from exc
    return passphrase


def open_key(path: Path, *, prompt: Prompt = getpass.getpass) -> KeyFile:
    try:
        return open_key_file(path, read_passphrase(new=False, prompt=prompt))
    except KeyFileError as exc:
        raise bad_input(exc.zh, exc.en) from exc


def create_key(
    path: Path,
    keypair: KeyPair,
    *,
    name: str | None = None,
    cost: int = DEFAULT_COST,
    prompt: Prompt = getpass.getpass,
) -> None:
    """Write a new key file; checks the place before asking for the passphrase."""
    if path.exists() or path.is_symlink():
        raise bad_input(f"{path} 已存在，不会覆盖", f"{path} already exists and is not overwritten")
    if not path.parent.is_dir():
        raise bad_input(f"目录 {path.parent} 不存在", f"folder {path.parent} does not exist")
    passphrase = read_passphrase(new=True, prompt=prompt)
    try:
        write_key_file(path, keypair, passphrase, name=name, cost=cost)
    except KeyFileError as exc:
        raise bad_input(exc.zh, exc.en) from exc


def read_json_file(path: Path) -> Any:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise bad_input(
            f"无法读取 {path}：{exc.strerror}", f"cannot read {path}: {exc.strerror}"
        ) from exc
    try:
        return loads(data)
    except IdentityError as exc:
        zh, en = split_message(exc)
        raise bad_input(f"{path}：{zh}", f"{path}: {en}") from exc


def write_new_file(path: Path, data: bytes) -> None:
    """Write `data` to a file that must not exist yet (so nothing is lost by a typo)."""
    try:
        with path.open("xb") as out:
            out.write(data)
    except FileExistsError as exc:
        raise bad_input(
            f"{path} 已存在，不会覆盖", f"{path} already exists and is not overwritten"
        ) from exc
    except OSError as exc:
        raise bad_input(
            f"无法写入 {path}：{exc.strerror}", f"cannot write {path}: {exc.strerror}"
        ) from exc


def dump_json(document: Any) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


# --- the server's API ---------------------------------------------------------------------------


@dataclass
class Api:
    """The server's HTTP API, as these commands use it. Transport errors exit 3; a refusal
    (4xx) exits 1 with the server's own bilingual reason."""

    base_url: str
    transport: httpx.BaseTransport | None = None

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        if not self.base_url.startswith(("http://", "https://")):
            raise bad_input(
                f"服务器地址须以 http:// 或 https:// 开头：{self.base_url[:80]}",
                f"the server URL must start with http:// or https://: {self.base_url[:80]}",
            )
        self._client = httpx.Client(
            base_url=self.base_url,
            timeout=TIMEOUT_SECONDS,
            transport=self.transport or (TEST_TRANSPORT[0] if TEST_TRANSPORT else None),
            headers={"accept": "application/json"},
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _send(
        self, method: str, path: str, *, params: Mapping[str, Any] | None, body: Any
    ) -> httpx.Response:
        try:
            answer = self._client.request(method, path, params=params, json=body)
        except httpx.HTTPError as exc:
            raise CliError(
                EXIT_UNREACHABLE,
                f"无法连接服务器 {self.base_url}：{exc}",
                f"cannot reach the server {self.base_url}: {exc}",
            ) from exc
        if len(answer.content) > MAX_ANSWER_BYTES:
            raise CliError(EXIT_UNREACHABLE, "服务器的回答过大", "the server's answer is too large")
        if 400 <= answer.status_code < 500:
            zh, en = _server_reason(answer)
            raise refused(
                f"服务器拒绝（{answer.status_code}）：{zh}",
                f"the server refused ({answer.status_code}): {en}",
            )
        if answer.status_code >= 300:
            raise CliError(
                EXIT_UNREACHABLE,
                f"服务器出错（{answer.status_code}），请稍后再试",
                f"the server failed ({answer.status_code}); try again later",
            )
        return answer

    def get_text(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        return self._send("GET", path, params=params, body=None).text

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return _json(self._send("GET", path, params=params, body=None))

    def post_json(self, path: str, body: Any) -> Any:
        return _json(self._send("POST", path, params=None, body=body))


def _json(answer: httpx.Response) -> Any:
    try:
        return loads(answer.content)
    except IdentityError as exc:
        raise CliError(
            EXIT_UNREACHABLE, "服务器的回答不是 JSON", "the server's answer is not JSON"
        ) from exc


def _server_reason(answer: httpx.Response) -> tuple[str, str]:
    try:
        error = loads(answer.content).get("error", {})
        zh, en = error.get("zh"), error.get("en")
    except (IdentityError, AttributeError):
        zh = en = None
    if isinstance(zh, str) and isinstance(en, str):
        return zh[:500], en[:500]
    text = answer.text[:200]
    return text, text
