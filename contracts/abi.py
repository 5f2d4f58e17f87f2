"""Solidity ABI encoding and decoding over eth_abi, shared by every chain backend.

Follows the Solidity ABI specification ("Contract ABI Specification", docs.soliditylang.org):
a call is the 4-byte selector then the encoded arguments; an event's first topic is the hash
of its signature, indexed static fields are further topics, the rest is the data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import decode, encode
from eth_abi.exceptions import DecodingError, EncodingError
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from contracts.errors import ChainError

Abi = Sequence[Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class DecodedError:
    """A revert reason: a custom error's name and fields, `Error(string)`, or `Panic(uint256)`."""

    name: str
    args: tuple[Any, ...]


def _type(param: Mapping[str, Any]) -> str:
    kind: str = param["type"]
    if kind.startswith("tuple"):
        inner = ",".join(_type(c) for c in param["components"])
        return f"({inner}){kind[len('tuple') :]}"
    return kind


def _types(params: Sequence[Mapping[str, Any]]) -> list[str]:
    return [_type(p) for p in params]


def _entry(abi: Abi, kind: str, name: str) -> Mapping[str, Any]:
    found = [e for e in abi if e.get("type") == kind and e.get("name") == name]
    if len(found) != 1:
        raise ChainError(f"ABI 中没有唯一的 {kind} {name}", f"ABI has no unique {kind} {name!r}")
    return found[0]


def signature(entry: Mapping[str, Any]) -> str:
    """`name(type1,type2,…)`, the canonical form hashed into selectors and topics."""
    return f"{entry['name']}({','.join(_types(entry['inputs']))})"


def _decode(types: list[str], data: bytes) -> tuple[Any, ...]:
    """eth_abi's decode, with addresses EIP-55 checksummed as everywhere else here."""
    values = decode(types, data)
    return tuple(
        to_checksum_address(v) if t == "address" else v for t, v in zip(types, values, strict=True)
    )


def _encode(types: list[str], args: Sequence[Any], what: str) -> bytes:
    try:
        return encode(types, list(args))
    except (EncodingError, TypeError, ValueError) as exc:
        raise ChainError(
            f"参数无法编码：{what}", f"cannot encode arguments of {what}: {exc}"
        ) from exc


def encode_call(abi: Abi, fn: str, args: Sequence[Any]) -> bytes:
    """Calldata for `fn(*args)`: selector || encoded arguments."""
    entry = _entry(abi, "function", fn)
    return keccak(text=signature(entry))[:4] + _encode(_types(entry["inputs"]), args, fn)


def encode_constructor(abi: Abi, args: Sequence[Any]) -> bytes:
    """The encoded constructor arguments, appended to the creation bytecode."""
    ctors = [e for e in abi if e.get("type") == "constructor"]
    inputs = ctors[0]["inputs"] if ctors else []
    return _encode(_types(inputs), args, "constructor")


def decode_result(abi: Abi, fn: str, data: bytes) -> tuple[Any, ...]:
    """The return values of `fn`, decoded from a call's output."""
    entry = _entry(abi, "function", fn)
    try:
        return _decode(_types(entry["outputs"]), data)
    except DecodingError as exc:
        raise ChainError(f"返回值无法解码：{fn}", f"cannot decode the result of {fn}") from exc


def event_topic(abi: Abi, event: str) -> bytes:
    """Topic 0 of `event`: keccak256 of its signature."""
    return keccak(text=signature(_entry(abi, "event", event)))


def decode_event(abi: Abi, event: str, topics: Sequence[bytes], data: bytes) -> dict[str, Any]:
    """The fields of one `event` log, by name; refuses a log of another event."""
    entry = _entry(abi, "event", event)
    if not topics or topics[0] != keccak(text=signature(entry)):
        raise ChainError(f"日志不是事件 {event}", f"log is not a {event} event")
    indexed = [p for p in entry["inputs"] if p.get("indexed")]
    plain = [p for p in entry["inputs"] if not p.get("indexed")]
    if len(topics) != 1 + len(indexed):
        raise ChainError(f"事件 {event} 的主题数不对", f"wrong topic count for {event}")
    try:
        values = dict(zip([p["name"] for p in plain], _decode(_types(plain), data), strict=True))
        for param, topic in zip(indexed, topics[1:], strict=True):
            kind = _type(param)
            # An indexed dynamic value is stored as its keccak256 hash: return that hash.
            dynamic = kind in ("string", "bytes") or kind.endswith("]") or kind.startswith("(")
            values[param["name"]] = topic if dynamic else _decode([kind], topic)[0]
    except DecodingError as exc:
        raise ChainError(f"事件 {event} 无法解码", f"cannot decode {event} event") from exc
    return {p["name"]: values[p["name"]] for p in entry["inputs"]}


def decode_error(abi: Abi, data: bytes) -> DecodedError | None:
    """Name and fields of revert data: a custom error of `abi`, Error(string) or Panic(uint256).

    None when the data is empty or matches none of them.
    """
    selector, body = data[:4], data[4:]
    candidates: list[tuple[str, list[str]]] = [("Error", ["string"]), ("Panic", ["uint256"])]
    candidates += [(e["name"], _types(e["inputs"])) for e in abi if e.get("type") == "error"]
    for name, types in candidates:
        if keccak(text=f"{name}({','.join(types)})")[:4] == selector:
            try:
                return DecodedError(name, _decode(types, body))
            except DecodingError:
                return None
    return None
