"""`gongzhi ledger export` reads the LogAnchor's address from the server's deployment record,
which also records the BallotRegistry once a result went on chain."""

from __future__ import annotations

import json
from pathlib import Path

from web.cli.ledger import _contract_address

ANCHOR = "0x00000000000000000000000000000000000000a1"
REGISTRY = "0x00000000000000000000000000000000000000b2"


def _write(folder: Path, records: list[dict[str, object]]) -> Path:
    path = folder / "contracts.json"
    path.write_text(json.dumps({"deployments": records}), "utf-8")
    return path


def test_the_anchor_is_found_beside_a_later_registry(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            {"chain_id": 1337, "address": ANCHOR, "contract": "LogAnchor"},
            {"chain_id": 1337, "address": REGISTRY, "contract": "BallotRegistry"},
        ],
    )
    assert _contract_address(path, 1337) == ANCHOR
    assert _contract_address(path, 1) is None


def test_a_record_naming_no_contract_is_the_anchor(tmp_path: Path) -> None:
    # written before a second contract existed (contracts.deploy reads it the same way)
    path = _write(tmp_path, [{"chain_id": 1337, "address": ANCHOR}])
    assert _contract_address(path, 1337) == ANCHOR
    only_registry = _write(
        tmp_path, [{"chain_id": 1337, "address": REGISTRY, "contract": "BallotRegistry"}]
    )
    assert _contract_address(only_registry, 1337) is None
