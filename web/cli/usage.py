"""The `gongzhi` command line's own usage errors, in Chinese and English.

argparse words its errors in English only ("the following arguments are required: …"); the
parser here says each in Chinese first, then argparse's English, and exits 2 as argparse
does. Its messages are recognised by their (stable, CPython 3.11) wording; one it does not
know keeps its English, under a Chinese heading, so nothing is ever lost.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any, NoReturn

# argparse's wording → ours; each pattern's groups are carried over as they are.
_KNOWN: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), zh)
    for pattern, zh in (
        (r"^the following arguments are required: (.+)$", "缺少必需的参数：{0}"),
        (r"^unrecognized arguments: (.+)$", "无法识别的参数：{0}"),
        (
            r"^argument (.+?): invalid choice: (.+?) \(choose from (.+)\)$",
            "参数 {0} 的值 {1} 无效，可选：{2}",
        ),
        (r"^argument (.+?): invalid (\w+) value: (.+)$", "参数 {0} 的值 {2} 不是有效的 {1}"),
        (r"^argument (.+?): expected one argument$", "参数 {0} 需要一个值"),
        (r"^argument (.+?): expected (.+) arguments?$", "参数 {0} 需要 {1} 个值"),
        (r"^argument (.+?): not allowed with argument (.+)$", "参数 {0} 不能与 {1} 同时使用"),
        (r"^argument (.+?): ignored explicit argument (.+)$", "参数 {0} 不接受值 {1}"),
        (r"^one of the arguments (.+) is required$", "须给出以下参数之一：{0}"),
        (r"^ambiguous option: (.+?) could match (.+)$", "选项 {0} 有歧义，可能是：{1}"),
    )
)


def in_chinese(message: str) -> str:
    """argparse's English usage error, said in Chinese (pure)."""
    for pattern, zh in _KNOWN:
        found = pattern.match(message)
        if found:
            return zh.format(*found.groups())
    return f"命令行参数有误：{message}"


class BilingualParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are bilingual; its subcommands' parsers are too
    (``add_subparsers`` makes them of the parser's own class)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(
            2,
            f"{self.prog}: 错误：{in_chinese(message)}\n{self.prog}: error: {message}\n"
            f"（`{self.prog} -h` 查看帮助 / see `{self.prog} -h`）\n",
        )


def subcommands(
    parser: BilingualParser, **kw: Any
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """``parser.add_subparsers(**kw)``, typed as the command modules' ``register`` take it
    (the parsers it makes are still `BilingualParser`: argparse uses the parent's class)."""
    action: argparse._SubParsersAction[argparse.ArgumentParser] = parser.add_subparsers(**kw)
    return action
