"""`gongzhi verify ballot FILE --trust TRUST [--offline]`: exit 0 valid, 1 invalid, 2
unreadable (a bad trust file too), 3 incomplete when the chain cannot be reached; the chain
id and contract come from the trust file, the offline state is said at the top and the end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contracts.deploy import ensure_anchor
from contracts.embedded import EmbeddedChain
from identity.community.trustfile import PinnedTrust, write_trust
from ledger.tlog.merkle import leaf_hash, root_from_hashes
from ledger.tlog.records import log_id_of
from tests.record_support import Ballot, World, save
from web.cli import entry as cli


@pytest.fixture(scope="module")
def world() -> World:
    return World()


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_offline_valid_says_so_first_and_last(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = save(Ballot(world).record(), tmp_path / "r.json")
    trust = world.write_trust(tmp_path / "trust.json")
    code, out, _ = _run(["verify", "ballot", str(path), "--trust", str(trust), "--offline"], capsys)
    lines = out.strip().splitlines()
    assert code == 0, out
    assert "OFFLINE" in lines[1] and "OFFLINE" in lines[-2]
    assert lines[-1].endswith("(VALID)")


def test_no_chain_is_incomplete_exit_3(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = save(Ballot(world).record(), tmp_path / "r.json")
    trust = world.write_trust(tmp_path / "trust.json")
    code, out, _ = _run(["verify", "ballot", str(path), "--trust", str(trust)], capsys)
    assert code == 3, out
    assert "no chain given" in out.splitlines()[1] and out.strip().endswith("(INCOMPLETE)")
    rpc = ["--rpc", "http://127.0.0.1:9"]  # nothing listens on the discard port
    code, out, _ = _run(["verify", "ballot", str(path), "--trust", str(trust), *rpc], capsys)
    assert code == 3, out
    assert "could not be reached" in out


def test_bad_trust_file_is_unreadable_exit_2(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = save(Ballot(world).record(), tmp_path / "r.json")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(world.trust.to_json() | {"chainId": "31337"}))
    code, _, err = _run(["verify", "ballot", str(path), "--trust", str(bad), "--offline"], capsys)
    assert code == 2 and "chainId must be a positive integer" in err and "chainId 须为正整数" in err
    missing = ["verify", "ballot", str(path), "--trust", str(tmp_path / "no.json"), "--offline"]
    assert _run(missing, capsys)[0] == 2
    trust = world.write_trust(tmp_path / "trust.json")
    junk = tmp_path / "junk.json"
    junk.write_text("[1, 2")
    assert _run(["verify", "ballot", str(junk), "--trust", str(trust), "--offline"], capsys)[0] == 2


def test_wrong_root_is_invalid_exit_1(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = save(Ballot(world).record(), tmp_path / "r.json")
    other = World()  # another street office
    trust = other.write_trust(tmp_path / "trust.json")
    code, out, _ = _run(["verify", "ballot", str(path), "--trust", str(trust), "--offline"], capsys)
    assert code == 1
    assert "is not a trusted root" in out and "不是由受信任的街道办事处签发" in out
    assert out.strip().endswith("(INVALID)")


def _chain_with(record: dict[str, Any], folder: Path, *, anchor_it: bool) -> str:
    chain = EmbeddedChain(folder / "chain")
    try:
        contract = ensure_anchor(chain, folder / "contracts.json")
        if anchor_it:
            raw = record["entries"]
            root = root_from_hashes([leaf_hash(r.encode()) for r in raw])
            contract.anchor(log_id_of(record["origin"]), len(raw), root, [])
        return contract.address
    finally:
        chain.close()


def test_on_chain_with_pinned_contract_and_chain_id(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = Ballot(world).record()
    path = save(record, tmp_path / "r.json")
    data = tmp_path / "data"
    address = _chain_with(record, data, anchor_it=True)
    trust = tmp_path / "trust.json"
    write_trust(trust, PinnedTrust(1337, address, world.roots))
    argv = ["verify", "ballot", str(path), "--trust", str(trust), "--data", str(data)]
    code, out, _ = _run(argv, capsys)
    assert code == 0, out
    assert "checked against the anchors on chain" in out.splitlines()[1]
    assert out.strip().endswith("(VALID)")
    # Another chain id pinned: refused, whatever the record says.
    write_trust(trust, PinnedTrust(31337, address, world.roots))
    code, out, _ = _run(argv, capsys)
    assert code == 1 and "not the pinned 31337" in out
    # Another contract pinned (the record's own anchor block is not read): no anchor there.
    write_trust(trust, PinnedTrust(1337, "0x" + "12" * 20, world.roots))
    code, out, _ = _run(argv, capsys)
    assert code == 1 and "no contract at the pinned address 0x1212" in out, out


def test_unanchored_record_is_invalid_on_chain(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = Ballot(world).record()
    path = save(record, tmp_path / "r.json")
    data = tmp_path / "data"
    address = _chain_with(record, data, anchor_it=False)
    trust = tmp_path / "trust.json"
    write_trust(trust, PinnedTrust(1337, address, world.roots))
    code, out, _ = _run(
        ["verify", "ballot", str(path), "--trust", str(trust), "--data", str(data)], capsys
    )
    assert code == 1 and "no anchor of this box for size 9" in out
