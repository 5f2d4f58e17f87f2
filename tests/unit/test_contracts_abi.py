"""ABI encoding, event and revert decoding against values fixed by the Solidity ABI spec."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from eth_abi.abi import encode
from eth_utils.crypto import keccak

from contracts.abi import (
    decode_error,
    decode_event,
    decode_result,
    encode_call,
    event_topic,
    signature,
)
from contracts.chain import load_artifact
from contracts.errors import ChainError

ABI = load_artifact("LogAnchor").abi


def test_selectors_are_those_solc_reports() -> None:
    # The artifact's methodIdentifiers come from solc itself, not from our code.
    build = Path(__file__).resolve().parents[2] / "contracts" / "build" / "LogAnchor.json"
    identifiers = json.loads(build.read_text())["methodIdentifiers"]
    for entry in ABI:
        if entry["type"] == "function":
            sig = signature(entry)
            assert encode_call(ABI, entry["name"], _zero_args(entry))[:4].hex() == identifiers[sig]


def _zero_args(entry: Mapping[str, Any]) -> list[object]:
    values = {"bytes32": b"\0" * 32, "uint64": 0, "address": "0x" + "00" * 20, "bytes32[]": []}
    return [values[p["type"]] for p in entry["inputs"]]


def test_anchor_calldata_layout() -> None:
    data = encode_call(ABI, "anchor", [b"\x11" * 32, 5, b"\x22" * 32, [b"\x33" * 32]])
    assert data[:4] == keccak(text="anchor(bytes32,uint64,bytes32,bytes32[])")[:4]
    assert data[4:36] == b"\x11" * 32
    assert int.from_bytes(data[36:68], "big") == 5
    assert int.from_bytes(data[100:132], "big") == 0x80  # offset of the dynamic array
    assert int.from_bytes(data[132:164], "big") == 1
    assert data[164:] == b"\x33" * 32


def test_bad_arguments_raise_chain_error() -> None:
    with pytest.raises(ChainError, match="cannot encode"):
        encode_call(ABI, "anchor", [b"\x11" * 33, 5, b"\x22" * 32, []])
    with pytest.raises(ChainError, match="no unique function"):
        encode_call(ABI, "nope", [])


def test_decode_result_and_garbage() -> None:
    out = encode(["uint64", "bytes32", "uint64"], [7, b"\x01" * 32, 9])
    assert decode_result(ABI, "head", out) == (7, b"\x01" * 32, 9)
    with pytest.raises(ChainError, match="cannot decode"):
        decode_result(ABI, "head", b"\x00" * 5)


def test_event_round_trip() -> None:
    topic0 = keccak(text="HeadAnchored(bytes32,uint64,bytes32,uint64)")
    assert event_topic(ABI, "HeadAnchored") == topic0
    data = encode(["uint64", "bytes32", "uint64"], [10, b"\x02" * 32, 4])
    fields = decode_event(ABI, "HeadAnchored", [topic0, b"\x09" * 32], data)
    assert fields == {
        "logId": b"\x09" * 32,
        "treeSize": 10,
        "root": b"\x02" * 32,
        "previousSize": 4,
    }
    with pytest.raises(ChainError, match="not a HeadAnchored"):
        decode_event(ABI, "HeadAnchored", [b"\x00" * 32, b"\x09" * 32], data)
    with pytest.raises(ChainError, match="wrong topic count"):
        decode_event(ABI, "HeadAnchored", [topic0], data)


def test_decode_errors() -> None:
    custom = keccak(text="LogAnchorShrunk(bytes32,uint64,uint64)")[:4]
    decoded = decode_error(
        ABI, custom + encode(["bytes32", "uint64", "uint64"], [b"\1" * 32, 9, 3])
    )
    assert decoded is not None
    assert (decoded.name, decoded.args) == ("LogAnchorShrunk", (b"\1" * 32, 9, 3))
    reason = keccak(text="Error(string)")[:4] + encode(["string"], ["boom"])
    assert decode_error(ABI, reason) == type(decoded)("Error", ("boom",))
    panic = keccak(text="Panic(uint256)")[:4] + encode(["uint256"], [0x11])
    assert decode_error(ABI, panic) == type(decoded)("Panic", (0x11,))
    assert decode_error(ABI, b"") is None
    assert decode_error(ABI, b"\xde\xad\xbe\xef") is None
    assert decode_error(ABI, custom + b"\x00") is None  # truncated fields
