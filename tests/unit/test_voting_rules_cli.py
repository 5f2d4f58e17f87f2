"""``gongzhi rules evaluate``: in-process through the registered handler, and as a process."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from web.cli.rules import register

REPO = Path(__file__).resolve().parents[2]

# Matter 7 at the exact 3/4 bound: 4 owners of 100.00 m², 3 agree, 1 opposes.
GOOD = {
    "matter": 7,
    "units": [
        {
            "id": f"1-10{i}",
            "area": "100.00" if i < 4 else 100,
            "holder": f"o{i}",
            "developer": False,
        }
        for i in range(1, 5)
    ],
    "votes": {"o1": "agree", "o2": "agree", "o3": "agree", "o4": "oppose"},
}


def run_in_process(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="gongzhi")
    register(parser.add_subparsers())
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "ballot.json"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_in_process_prints_one_json_outcome(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_in_process(["rules", "evaluate", write(tmp_path, json.dumps(GOOD))]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert captured.err == ""
    assert out["matter"] == 7
    assert out["total"] == {"area": "400.00", "headcount": 4}
    assert out["participating"] == {"area": "400.00", "headcount": 4}
    assert out["agree"] == {"area": "300.00", "headcount": 3}
    assert out["oppose"] == {"area": "100.00", "headcount": 1}
    assert out["abstain"] == {"area": "0.00", "headcount": 0}
    assert out["quorum"]["threshold"] == "2/3" and out["approval"]["threshold"] == "3/4"
    assert (out["quorum_met"], out["approved"], out["passed"]) == (True, True, True)


def test_a_failed_matter_still_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = {**GOOD, "matter": 1, "votes": {"o1": "agree", "o2": "oppose", "o3": "abstain"}}
    assert run_in_process(["rules", "evaluate", write(tmp_path, json.dumps(doc))]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["approval"]["threshold"] == ">1/2" and out["quorum_met"] and not out["passed"]


def with_unit(i: int, **changes: object) -> str:
    units = [dict(u) for u in GOOD["units"]]  # type: ignore[attr-defined]
    units[i].update(changes)
    return json.dumps({**GOOD, "units": units})


BAD = [
    ("{", "line 1 column 2"),
    ("[]", "JSON object"),
    ('{"matter": 7, "units": [], "votes": {}}', "units: "),
    (json.dumps({**GOOD, "votes": {"ghost": "agree"}}), 'votes["ghost"]: '),
    (json.dumps({**GOOD, "votes": {"o1": "yes"}}), 'votes["o1"]: '),
    (json.dumps({**GOOD, "matter": 0}), "matter: "),
    (json.dumps({**GOOD, "matter": 10}), "matter: "),
    (json.dumps({**GOOD, "matter": "7"}), "matter: "),
    (json.dumps({k: v for k, v in GOOD.items() if k != "votes"}), "missing field votes"),
    (with_unit(3, area="0"), "units[3].area: "),
    (with_unit(3, area="-1"), "units[3].area: "),
    (with_unit(3, area="1.234"), "units[3].area: "),
    (with_unit(3, area=-5), "units[3].area: "),
    (with_unit(2, id="1-101"), "units[2].id: "),
    (with_unit(1, holder=""), "units[1].holder: "),
    (with_unit(0, developer=None), "units[0].developer: "),
    (json.dumps(GOOD).replace('"100.00"', "89.37", 1), 'quote it as "89.37"'),
    (json.dumps(GOOD).replace('"100.00"', "NaN", 1), "NaN"),
    (json.dumps(GOOD).replace('"o4": "oppose"', '"o4": "oppose", "o4": "agree"'), "duplicate key"),
    (json.dumps(GOOD).replace('"matter": 7', '"matter": 7.0'), "matter: "),
]


@pytest.mark.parametrize(("text", "where"), BAD)
def test_bad_input_exits_2_says_where_and_prints_nothing(
    text: str, where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_in_process(["rules", "evaluate", write(tmp_path, text)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert where in captured.err and " / " in captured.err  # 中文 / English


def test_a_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_in_process(["rules", "evaluate", str(tmp_path / "absent.json")]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "cannot read" in captured.err


def test_rules_without_a_command_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_in_process(["rules"]) == 2
    assert capsys.readouterr().out == ""


def run_process(stdin: bytes, *argv: str) -> subprocess.CompletedProcess[bytes]:
    code = "import sys; from web.cli.rules import main; sys.exit(main())"
    return subprocess.run(
        [sys.executable, "-c", code, "rules", "evaluate", *argv],
        input=stdin,
        capture_output=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )


def test_process_reads_stdin_and_writes_utf8_json() -> None:
    done = run_process(json.dumps(GOOD).encode(), "-")
    assert done.returncode == 0, done.stderr.decode()
    out = json.loads(done.stdout.decode("utf-8"))
    assert out["passed"] is True
    assert out["matter_name"]["zh"] == "改建、重建建筑物及其附属设施"


def test_process_accepts_a_utf8_bom_from_windows_tools(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD).encode())
    done = run_process(b"", str(path))
    assert done.returncode == 0, done.stderr.decode()


@pytest.mark.parametrize(("text", "where"), [BAD[3], BAD[9], BAD[16]])
def test_process_bad_input_exits_2_with_empty_stdout(text: str, where: str) -> None:
    done = run_process(text.encode(), "-")
    assert done.returncode == 2
    assert done.stdout == b""
    assert where in done.stderr.decode("utf-8")


def test_process_refuses_bytes_that_are_not_utf8() -> None:
    done = run_process(b'{"matter": 7, "units": "\xff"}', "-")
    assert (done.returncode, done.stdout) == (2, b"")
    assert b"UTF-8" in done.stderr
