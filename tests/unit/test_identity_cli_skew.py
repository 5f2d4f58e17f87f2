"""``gongzhi vc verify --clock-skew``: a resident's computer whose clock is a few minutes off
still verifies a credential (and a status list signed moments ago by a server ahead of it);
``--clock-skew 0`` gives the exact verdict."""

from __future__ import annotations

import argparse
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.identity_support import T0, World, make_world
from web.cli.identity import register

SECOND = timedelta(seconds=1)


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="gongzhi")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code = args.func(args)
    out, err = capsys.readouterr()
    return code, out, err


def _write(path: Path, value: Any) -> str:
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def world() -> World:
    return make_world()


def _args(world: World, tmp_path: Path, now: Any, *extra: str) -> list[str]:
    # Everything here (credential, registration, both lists) is valid from T0.
    return [
        "vc",
        "verify",
        _write(tmp_path / "input.json", [world.ownership, world.registration]),
        "--root",
        world.root.did.value,
        "--status-list",
        _write(tmp_path / "lists.json", [world.root_list_credential()]),
        "--status-list",
        _write(tmp_path / "list2.json", world.committee_list_credential()),
        "--now",
        now.isoformat(),
        *extra,
    ]


def test_five_minutes_behind_by_default(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(_args(world, tmp_path, T0 - timedelta(minutes=5) + SECOND), capsys)
    assert code == 0 and out.splitlines()[-1].endswith("(VALID)"), out
    code, out, _ = _run(_args(world, tmp_path, T0 - timedelta(minutes=5) - SECOND), capsys)
    assert code == 1 and "not_yet_valid" in out, out


def test_a_chosen_skew_and_an_exact_verdict(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(_args(world, tmp_path, T0 - 59 * SECOND, "--clock-skew", "60"), capsys)
    assert code == 0, out
    code, out, _ = _run(_args(world, tmp_path, T0 - 61 * SECOND, "--clock-skew", "60"), capsys)
    assert code == 1 and "allowing 60 s" in out, out
    code, out, _ = _run(_args(world, tmp_path, T0 - SECOND, "--clock-skew", "0"), capsys)
    assert code == 1 and "not_yet_valid" in out, out


@pytest.mark.parametrize("bad", ["-5", "3601", "1e3", "soon"])
def test_a_bad_skew_is_unreadable_input(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    code, _, err = _run(_args(world, tmp_path, T0, "--clock-skew", bad), capsys)
    assert code == 2 and "--clock-skew" in err and "整数秒" in err
