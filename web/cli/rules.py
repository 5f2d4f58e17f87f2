"""``gongzhi rules evaluate [--on-chain] FILE``: an auditor re-decides an Art. 278 vote.

Input (``-`` reads stdin), one matter::

    {"matter": 1..9,
     "units": [{"id": "3-1-502", "area": "89.37", "holder": "owner-17", "developer": false}],
     "votes": {"owner-17": "agree" | "oppose" | "abstain"}}

or a whole agenda (items as the ballot's announcement states them; an item a holder
leaves out is one they did not take part in; ``developer`` may be left out, meaning false)::

    {"items": [{"id": "1", "kind": "motion", "matter": 2, "title": "…", "text": "…"},
               {"id": "2", "kind": "election", "matter": 3, "title": "…", "text": "…",
                "seats": 1, "candidates": [{"id": "c1", "label": "候选人甲"}]}],
     "units": [...], "ranking": "area" | "headcount",
     "votes": {"owner-17": {"1": "agree", "2": ["c1"]}}}

Output: one JSON object on stdout (see :meth:`voting.rules.Outcome.to_json`; for an agenda
``{"items": [{"id", "kind", "outcome"}]}``), exit 0 whether or not anything passed. With
``--on-chain`` the counted totals go to a BallotRegistry contract on a fresh embedded
chain, which decides every item itself; the output is the same JSON with every decision
taken from the contract, so it is identical exactly when both engines agree. Any bad input
exits 2 with a bilingual message on stderr that says where the problem is, and prints
nothing on stdout; a chain failure exits 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
import tempfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from contracts.deploy import ensure_registry
from contracts.embedded import EmbeddedChain
from contracts.errors import ChainError
from voting.document import AgendaOutcome, evaluate_document
from voting.errors import VotingError
from voting.items import ElectionOutcome
from voting.onchain import read_result, record_result
from voting.rules import Outcome
from web.cli.keys import usage_of
from web.cli.usage import BilingualParser, subcommands

_PROG = "gongzhi rules evaluate"
EXIT_BAD_INPUT = 2
EXIT_CHAIN_FAILED = 1


class _BadInput(Exception):
    """The file cannot be read or is not strict JSON; never leaves this module."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``rules evaluate FILE`` to the main ``gongzhi`` parser; handlers set ``func``."""
    rules = subparsers.add_parser(
        "rules",
        help="民法典第二百七十八条表决规则 / Civil Code Art. 278 voting rules",
        description="民法典第二百七十八条表决规则 / Civil Code Art. 278 voting rules",
    )

    rules.set_defaults(func=usage_of(rules))
    commands = rules.add_subparsers(title="commands", metavar="COMMAND")
    evaluate = commands.add_parser(
        "evaluate",
        help="按第二百七十八条判定表决结果 / decide a vote under Art. 278",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    evaluate.add_argument(
        "--on-chain",
        action="store_true",
        help="由链上合约在新的内嵌链上判定 / decide through the contract on a fresh embedded chain",
    )
    evaluate.add_argument(
        "file", metavar="FILE", help="JSON 输入文件，- 表示标准输入 / JSON file, - for stdin"
    )
    evaluate.set_defaults(func=run_evaluate)


def run_evaluate(args: argparse.Namespace) -> int:
    """Handler of ``rules evaluate``: 0 with the outcome on stdout, 2 on bad input."""
    try:
        source = _read(args.file)
        outcome = evaluate_document(_load(source))
    except (VotingError, _BadInput) as e:
        print(f"{_PROG}: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.on_chain:
        try:
            outcome = _decided_on_chain(outcome, source.encode())
        except (ChainError, VotingError) as e:
            print(f"{_PROG}: {e}", file=sys.stderr)
            return EXIT_CHAIN_FAILED
    # Serialised in full before anything is written, so an error can never leave half a result.
    sys.stdout.write(json.dumps(outcome.to_json(), ensure_ascii=False, indent=2) + "\n")
    return 0


def _decided_on_chain(result: Outcome | AgendaOutcome, source: bytes) -> Outcome | AgendaOutcome:
    """``result`` as a BallotRegistry on a fresh embedded chain decides its totals.

    A hand-written file has no ballot box and no census root, so the SHA-256 of the input
    stands in for both keys (the contract refuses zero keys).
    """
    decisions: list[tuple[str, Outcome | ElectionOutcome]]
    if isinstance(result, Outcome):
        decisions = [("1", result)]
    else:
        decisions = [(d.item.id, d.outcome) for d in result.decisions]
    key = hashlib.sha256(b"gongzhi rules evaluate\n" + source).digest()
    with tempfile.TemporaryDirectory(prefix="gongzhi-rules-") as folder:
        chain = EmbeddedChain(Path(folder) / "chain")
        try:
            registry = ensure_registry(chain, Path(folder) / "contracts.json")
            record_result(registry, log_id=key, census_root=key, decisions=decisions)
            decided = read_result(registry, key, decisions)
        finally:
            chain.close()
    if decided is None:  # recorded a moment ago: only a broken chain forgets it
        raise ChainError("链上没有刚记录的结果", "the result just recorded is not on the chain")
    if isinstance(result, Outcome):
        (only,) = decided
        if not isinstance(only, Outcome):  # as_decided keeps the kind it was given
            raise ChainError("链上结果的类型不符", "the chain's result is of another kind")
        return only
    pairs = zip(result.decisions, decided, strict=True)
    return dataclasses.replace(
        result, decisions=tuple(dataclasses.replace(d, outcome=o) for d, o in pairs)
    )


def _read(path: str) -> str:
    try:
        data = sys.stdin.buffer.read() if path == "-" else _read_file(path)
        return data.decode("utf-8-sig")
    except OSError as e:
        raise _BadInput(
            f"{path}: 无法读取文件（{e.strerror}）/ cannot read the file ({e.strerror})"
        ) from None
    except UnicodeDecodeError as e:
        raise _BadInput(
            f"{path}: 不是UTF-8文本（字节 {e.start}）/ not UTF-8 text (byte {e.start})"
        ) from None


def _read_file(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _load(text: str) -> object:
    """Strict JSON: no NaN/Infinity, no repeated keys; fractional numbers kept as Decimal."""
    try:
        return json.loads(
            text,
            parse_float=Decimal,  # exact, so voting/ can refuse it with the literal in hand
            parse_constant=_refuse_constant,
            object_pairs_hook=_refuse_duplicates,
        )
    except json.JSONDecodeError as e:
        raise _BadInput(
            f"第{e.lineno}行第{e.colno}列：JSON 无效（{e.msg}）"
            f" / line {e.lineno} column {e.colno}: invalid JSON ({e.msg})"
        ) from None
    except (ValueError, RecursionError) as e:  # e.g. an integer too long to convert
        raise _BadInput(f"JSON 无法解析 / JSON cannot be parsed ({e})") from None


def _refuse_constant(name: str) -> object:
    raise _BadInput(f"JSON 中不允许 {name} / {name} is not allowed in JSON")


def _refuse_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    # json.loads would silently keep the last of two equal keys: a second vote must not vanish.
    obj: dict[str, object] = {}
    for key, value in pairs:
        if key in obj:
            raise _BadInput(f"JSON 对象中键 {key!r} 重复 / duplicate key {key!r} in a JSON object")
        obj[key] = value
    return obj


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``rules …`` on its own (``python -m web.cli.rules rules evaluate FILE``)."""
    parser = BilingualParser(prog="gongzhi")
    register(subcommands(parser, title="commands", metavar="COMMAND"))
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        return usage_of(parser)(args)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
