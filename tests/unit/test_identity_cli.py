"""web.cli.identity: ``did resolve`` and ``vc verify`` through a parser of our own."""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from identity.community.trustfile import PinnedTrust, write_trust
from identity.w3c import statuslist
from tests.identity_support import NOW, OWNER_INDEX, World, make_world, vector_json
from web.cli.identity import register


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="gongzhi")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code = args.func(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def world() -> World:
    return make_world()


def _write(path: Path, value: Any) -> str:
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_did_resolve(capsys: pytest.CaptureFixture[str]) -> None:
    did = "did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv"
    code, out, err = _run(["did", "resolve", did], capsys)
    assert code == 0 and err == ""
    document = json.loads(out)
    assert document["id"] == did
    assert document["verificationMethod"][0]["type"] == "Multikey"


@pytest.mark.parametrize("did", ["did:key:zBAD0", "did:web:example.com", "nonsense"])
def test_did_resolve_bad(did: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["did", "resolve", did], capsys)
    assert code == 2 and out == ""
    assert " / " in err


def test_bare_group_prints_usage(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["vc"], capsys)
    assert code == 2 and "usage" in err


def _verify_args(world: World, tmp_path: Path, document: Any) -> list[str]:
    return [
        "vc",
        "verify",
        _write(tmp_path / "input.json", document),
        "--root",
        world.root.did.value,
        "--status-list",
        _write(tmp_path / "lists.json", [world.root_list_credential()]),
        "--status-list",
        _write(tmp_path / "list2.json", world.committee_list_credential()),
        "--now",
        NOW.isoformat(),
    ]


@pytest.mark.parametrize("form", ["array", "presentation"])
def test_vc_verify_valid(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str], form: str
) -> None:
    items = [world.ownership, world.registration]
    document: Any = items
    if form == "presentation":
        document = {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": items,
        }
    code, out, _ = _run(_verify_args(world, tmp_path, document), capsys)
    lines = out.splitlines()
    assert code == 0, out
    assert "nothing to check on chain" in lines[1] and "nothing to check on chain" in lines[-2]
    checks = [line for line in lines if line.startswith("✓")]
    assert checks[0].startswith("✓ 结构 / structure VerifiableCredential, OwnershipCredential")
    assert checks[1] == f"✓ 签名 / proof ecdsa-jcs-2019 by {world.committee.verification_method}"
    assert checks[3].startswith("✓ 状态 / status revocation https://xianxia-7.example/status/1")
    assert checks[4].startswith(f"✓ 签发链 / trust issuer {world.committee.did.value} registered")
    assert lines[-1].endswith("verdict: the credential is valid (VALID)")


def test_vc_verify_without_status_lists_says_so(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "reg.json", [world.ownership, world.registration])
    code, out, _ = _run(
        ["vc", "verify", path, "--root", world.root.did.value, "--now", "2025-06-01T00:00:00Z"],
        capsys,
    )
    assert code == 0
    assert any(
        line.startswith("! 状态未核对 / status") and "not checked" in line
        for line in out.splitlines()
    )


def test_vc_verify_revoked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    revoked = make_world()
    statuslist.set_bit(revoked.committee_bits, OWNER_INDEX)
    args = _verify_args(revoked, tmp_path, [revoked.ownership, revoked.registration])
    code, out, _ = _run(args, capsys)
    assert code == 1
    assert "✗ revoked:" in out and out.splitlines()[-1].endswith("invalid (revoked) (INVALID)")
    assert "✓ 结构 / structure" in out  # checks passed so far are listed


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda w: [w.ownership], "untrusted_issuer"),
        (lambda w: [{**w.ownership, "issuer": w.root.did.value}, w.registration], "bad_signature"),
        (lambda w: {"hello": "world"}, "wrong_context"),
        (lambda w: [vector_json("vc-di-eddsa/eddsa-jcs-2022/signedJCS.json")], "unknown_key"),
    ],
)
def test_vc_verify_names_the_reason(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str], change: Any, reason: str
) -> None:
    code, out, _ = _run(_verify_args(world, tmp_path, change(world)), capsys)
    assert code == 1
    assert out.splitlines()[-1].endswith(f"the credential is invalid ({reason}) (INVALID)")


def test_vc_verify_status_list_not_provided(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "in.json", [world.ownership, world.registration])
    lists = _write(tmp_path / "l.json", world.root_list_credential())
    code, out, _ = _run(
        [
            "vc",
            "verify",
            path,
            "--root",
            world.root.did.value,
            "--status-list",
            lists,
            "--now",
            "2025-06-01T00:00:00Z",
        ],
        capsys,
    )
    assert code == 1 and "(status_unavailable)" in out


@pytest.mark.parametrize(
    "content", [b"", b"{not json", b'{"a":1,"a":2}', b"[]", b"\xff\xfe", b"[1"]
)
def test_vc_verify_unreadable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    code, out, err = _run(["vc", "verify", str(path)], capsys)
    assert code == 2 and out == "" and " / " in err


def test_vc_verify_missing_file_and_bad_now(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(["vc", "verify", str(tmp_path / "missing.json")], capsys)
    assert code == 2 and "missing.json" in err
    path = _write(tmp_path / "x.json", {})
    code, _, err = _run(["vc", "verify", path, "--now", "tomorrow"], capsys)
    assert code == 2 and "--now" in err
    lists = tmp_path / "lists.json"
    lists.write_text("nope")
    code, _, err = _run(["vc", "verify", path, "--status-list", str(lists)], capsys)
    assert code == 2


def test_vc_verify_reads_stdin(
    world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = json.dumps([world.registration]).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, _ = _run(
        ["vc", "verify", "-", "--root", world.root.did.value, "--now", "2025-06-01T00:00:00Z"],
        capsys,
    )
    assert code == 0 and out.splitlines()[-1].endswith("(VALID)")


def test_vc_verify_tampered_status_list(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tampered = world.committee_list_credential()
    tampered["validFrom"] = "2020-01-01T00:00:00Z"
    args = _verify_args(world, tmp_path, [world.ownership, world.registration])
    args[args.index(str(tmp_path / "list2.json"))] = _write(tmp_path / "t.json", tampered)
    code, out, _ = _run(args, capsys)
    assert code == 1
    assert "status list https://xianxia-7.example/status/1 failed verification" in out
    assert out.splitlines()[-1].endswith("invalid (bad_signature) (INVALID)")


def test_vc_verify_takes_the_pinned_trust_file(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same pinned-trust input as the ballot and bundle verifiers: its roots are trusted."""
    path = _write(tmp_path / "reg.json", world.registration)
    trust = tmp_path / "trust.json"
    write_trust(trust, PinnedTrust(31337, "0x" + "ab" * 20, frozenset({world.root.did.value})))
    when = ["--now", "2025-06-01T00:00:00Z"]
    code, out, _ = _run(["vc", "verify", path, "--trust", str(trust), *when], capsys)
    assert code == 0 and out.splitlines()[-1].endswith("(VALID)")
    other = tmp_path / "other.json"
    write_trust(other, PinnedTrust(31337, "0x" + "ab" * 20, frozenset({str(world.committee.did)})))
    code, out, _ = _run(["vc", "verify", path, "--trust", str(other), *when], capsys)
    assert code == 1 and "(untrusted_issuer) (INVALID)" in out
    trust.write_text('{"type": "GongzhiTrust"}')
    code, _, err = _run(["vc", "verify", path, "--trust", str(trust), *when], capsys)
    assert code == 2 and "lacks the fields" in err
