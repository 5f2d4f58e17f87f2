"""The `gongzhi` command line's usage errors are bilingual (argparse alone says them in
English), exit 2, and reach every subcommand's parser."""

from __future__ import annotations

import pytest

from web.cli import entry as cli
from web.cli.usage import in_chinese


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "zh", "en"),
    [
        ([], "缺少必需的参数：command", "the following arguments are required: command"),
        (["nonsense"], "参数 command 的值 'nonsense' 无效", "invalid choice: 'nonsense'"),
        (["serve", "--colour"], "无法识别的参数：--colour", "unrecognized arguments: --colour"),
        (
            ["office", "register", "--community", "c"],
            "缺少必需的参数：--key",
            "the following arguments are required: --key",
        ),
        (["verify", "ledger", "b.jsonl", "--jobs", "many"], "不是有效的 int", "invalid int value"),
        (["member", "sign", "--key"], "参数 --key 需要一个值", "expected one argument"),
    ],
)
def test_usage_errors_are_said_in_both_languages(
    argv: list[str], zh: str, en: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _refused(argv, capsys)
    assert zh in err and en in err
    assert "usage: gongzhi" in err and "错误：" in err and "error:" in err


def test_a_group_without_its_command_says_so_in_both_languages(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for group in ("office", "member", "witness", "admin", "rules", "did"):
        assert cli.main([group]) == 2
        err = capsys.readouterr().err
        assert "请指定一个命令" in err and "a command is needed" in err, group


def test_an_unknown_message_keeps_its_english() -> None:
    assert in_chinese("something argparse may say one day") == (
        "命令行参数有误：something argparse may say one day"
    )
