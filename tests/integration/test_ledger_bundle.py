"""Export a disclosure log and verify the bundle offline, with its anchors on both chains and
both databases; every edit of the bundle is caught; the chain's absence is said plainly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from contracts.anchor import AnchorContract, AnchoredHead
from contracts.chain import Chain, load_artifact
from identity.community.trustfile import PinnedTrust
from identity.report import ChainState
from ledger.disclosure.bundle_export import ChainAnchors, export_bundle
from ledger.disclosure.bundle_verify import (
    BundleError,
    BundleReport,
    BundleUnreadable,
    verify_bundle,
)
from ledger.disclosure.service import DisclosureLogs
from ledger.tlog.anchoring import Anchorer
from ledger.tlog.checkpoint import cosign
from ledger.tlog.records import log_id_of
from tests import ledger_disclosure_support as s
from voting.spending import ballot_decision


@pytest.fixture
def engine(db_engine: Engine) -> Engine:
    s.make_tables(db_engine)
    return db_engine


def _anchor(engine: Engine, contract: AnchorContract) -> None:
    with Session(engine) as session, session.begin():
        logs = DisclosureLogs(session)
        Anchorer(contract).anchor(logs.store, logs.get(s.ORIGIN))


def _cosign_latest(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        logs = DisclosureLogs(session)
        log = logs.get(s.ORIGIN)
        latest = logs.store.latest_checkpoint(log)
        assert latest is not None
        verifier = s.log_signer(s.ORIGIN).verifier()
        for w in (s.COMMITTEE_WITNESS, s.STREET_WITNESS):
            line = cosign(latest.note, origin=s.ORIGIN, log_verifier=verifier, cosigner=w)
            logs.cosign(log, latest.checkpoint.size, line)


def _build(engine: Engine, contract: AnchorContract | None) -> None:
    """A year's start of a community: fees, statements, a spending, an objection loop."""
    with Session(engine) as session, session.begin():
        logs = DisclosureLogs(session)
        log = logs.ensure(s.ORIGIN)
        logs.add_witness(log, s.COMMITTEE_WITNESS.vkey, "committee")
        logs.add_witness(log, s.STREET_WITNESS.vkey, "street_office")
        ref = s.open_ballot_log(session)
    s.open_account(engine)  # entries 0–2: the accounts the statements report
    s.open_account(engine, "MaintenanceFund", "全体业主维修资金", opening=10_000_000)
    s.open_account(engine, "CommonAreaIncome", "共有部分经营收益")
    s.publish(engine, s.disclosure("FeeStandard", s.fee_standard()))
    s.publish(engine, s.disclosure("Attachment", s.attachment()))
    jan = s.income_expense()
    statement = s.disclosure("IncomeExpense", jan)
    s.publish(engine, statement)
    fund = s.maintenance_fund(spending=[("更换电梯", 4_000_000, ref.to_json())])
    s.publish(engine, s.disclosure("MaintenanceFund", fund, key=s.COMMITTEE))
    _cosign_latest(engine)
    if contract is not None:
        _anchor(engine, contract)
    s.publish(engine, s.disclosure("CommonAreaIncome", s.common_area()))
    objection = s.objection(5, s.leaf(statement))
    s.publish(engine, objection)
    reply = s.reply(8, s.leaf(objection))
    s.publish(engine, reply)
    s.publish(engine, s.review((8, s.leaf(objection)), (9, s.leaf(reply)), satisfied=True))
    feb = s.income_expense(period="2026-02", opening=jan["closingFen"])
    s.publish(engine, s.disclosure("IncomeExpense", feb))
    if contract is not None:
        _anchor(engine, contract)
    s.publish(engine, s.disclosure("Attachment", s.attachment("业主大会会议纪要")))
    _cosign_latest(engine)


def _export(engine: Engine, contract: AnchorContract | None) -> list[str]:
    chain = (
        None
        if contract is None
        else ChainAnchors(
            contract.chain.chain_id, contract.address, contract.anchored(log_id_of(s.ORIGIN))
        )
    )
    with Session(engine) as session:
        return list(
            export_bundle(
                session,
                s.ORIGIN,
                chain=chain,
                committee=[str(s.COMMITTEE.did)],
                registrations=s.REGISTRATIONS,
                roles=s.ROLE_CREDENTIALS,
            )
        )


def _verify(lines: list[str], tmp: Path, anchor: Any = None, **kw: Any) -> BundleReport:
    work = tmp / f"work{len(list(tmp.iterdir()))}"
    kw.setdefault("trust", s.trust(anchor if isinstance(anchor, AnchorContract) else None))
    return verify_bundle(lines, read_ballot=ballot_decision, workdir=work, anchor=anchor, **kw)


def test_bundle_verifies_against_the_chain(engine: Engine, chain: Chain, tmp_path: Path) -> None:
    contract = AnchorContract(chain, chain.deploy(load_artifact("LogAnchor")))
    _build(engine, contract)
    lines = _export(engine, contract)
    kinds = [next(iter(json.loads(line))) for line in lines[1:]]
    assert kinds.count("entry") == 13 and kinds.count("anchor") == 2
    assert kinds[0] == "ballot" and kinds[-1] == "end"
    report = _verify(lines, tmp_path, contract)
    text = "\n".join(report.lines)
    assert report.entries == 13 and report.chain_checked and report.anchored_size == 12
    on_chain = f"anchors checked on chain {chain.chain_id}, contract {contract.address}"
    assert f"{on_chain}: 12 of 13" in text
    assert "approved 5000000 fen" in text and "spent 4000000 of 5000000" in text
    assert "objections 1, replies 1, reviews 1 (1 satisfied)" in text
    assert "street.xianxia.gongzhi.example [street_office]: 2" in text
    assert "维修资金账户“全体业主维修资金”（maintenance-fund） 2026-01 期末" in text
    assert "3 accounts (each opened by an AccountOpened entry" in text

    # the same bundle without the chain: said so, still valid offline
    offline = _verify(lines, tmp_path, None)
    assert not offline.chain_checked and offline.chain is ChainState.UNREACHABLE


class _LyingChain:
    def __init__(self, size: int) -> None:
        self.size = size

    def root_at(self, log_id: bytes, tree_size: int) -> bytes | None:
        return b"\x07" * 32

    def head(self, log_id: bytes) -> AnchoredHead:
        return AnchoredHead(self.size, b"\x07" * 32, 1)


def _mutations(lines: list[str]) -> dict[str, list[str]]:
    def edit(i: int, fn: Any) -> list[str]:
        obj = json.loads(lines[i])
        fn(obj)
        return [*lines[:i], json.dumps(obj, ensure_ascii=False), *lines[i + 1 :]]

    at = {
        kind: [i for i, line in enumerate(lines) if line.startswith(f'{{"{kind}"')]
        for kind in ("entry", "checkpoint", "ballot", "end")
    }
    e3 = at["entry"][6]  # the maintenance fund's statement

    def amount(obj: dict[str, Any]) -> None:
        doc = json.loads(obj["entry"]["data"])
        doc["body"]["openingFen"] += 1
        data = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        obj["entry"]["data"] = data
        from ledger.tlog.merkle import leaf_hash

        obj["entry"]["leafHash"] = leaf_hash(data.encode()).hex()

    return {
        "entry dropped": [*lines[:e3], *lines[e3 + 1 :]],
        "entries swapped": [*lines[:e3], lines[e3 + 1], lines[e3], *lines[e3 + 2 :]],
        "entry edited": edit(e3, amount),
        "leaf hash edited": edit(e3, lambda o: o["entry"].update(leafHash="00" * 32)),
        "truncated": lines[:-1],
        "checkpoint dropped": [ln for i, ln in enumerate(lines) if i != at["checkpoint"][-1]],
        "cosigner claimed": edit(
            at["checkpoint"][0],
            lambda o: o["checkpoint"]["cosigners"].append(
                {
                    "witness": s.STREET_WITNESS.name,
                    "vkey": s.STREET_WITNESS.vkey,
                    "timestamp": 1,
                }
            ),
        ),
        "checkpoint note edited": edit(
            at["checkpoint"][2],
            lambda o: o["checkpoint"].update(note=o["checkpoint"]["note"].replace("\n", "\n\n", 1)),
        ),
        "ballot evidence dropped": [ln for i, ln in enumerate(lines) if i != at["ballot"][0]],
        "approved amount raised": edit(
            at["ballot"][0],
            lambda o: o["ballot"]["opened"].update(
                data=o["ballot"]["opened"]["data"].replace('"amountFen":5000000', '"amountFen":9')
            ),
        ),
        "other log key": edit(0, lambda o: o.update(logKey=s.log_signer("evil").vkey)),
        "registrations dropped": edit(0, lambda o: o.update(registrations=[])),
        "registration edited": edit(
            0, lambda o: o["registrations"][0]["credentialSubject"].update(sequence=2)
        ),
        "result signed by one member only": edit(
            at["ballot"][0],
            lambda o: o["ballot"]["result"].update(
                data=json.dumps(
                    json.loads(o["ballot"]["result"]["data"])
                    | {"proof": json.loads(o["ballot"]["result"]["data"])["proof"][:1]},
                    ensure_ascii=False,
                    separators=(",", ":"),
                    sort_keys=True,
                )
            ),
        ),
        # The header's lists are the server's word: a publisher it adds is a forgery, and
        # without the street office's role credential the manager's entries are refused.
        "publisher forged": edit(
            0, lambda o: o["publishers"].append({"did": str(s.OWNER.did), "role": "committee"})
        ),
        "role credential dropped": edit(0, lambda o: o.update(roles=[])),
        "role credential and publishers dropped": edit(
            0, lambda o: o.update(roles=[], publishers=[])
        ),
        "role credential edited": edit(
            0, lambda o: o["roles"][0]["credentialSubject"].update(id=str(s.OWNER.did))
        ),
        "end count": edit(at["end"][0], lambda o: o["end"].update(entries=9)),
        "line after end": [*lines, lines[at["entry"][0]]],
        "not json": [*lines[:e3], "{", *lines[e3 + 1 :]],
        "deeply nested": [*lines[:e3], "[" * 50_000 + "]" * 50_000, *lines[e3 + 1 :]],
        "deeply nested entry": [
            *lines[:e3],
            '{"entry":' + "[" * 50_000 + "]" * 50_000 + "}",
            *lines[e3 + 1 :],
        ],
    }


def test_every_bundle_edit_is_caught(engine: Engine, tmp_path: Path) -> None:
    _build(engine, None)
    lines = _export(engine, None)
    assert _verify(lines, tmp_path).entries == 13
    for name, bad in _mutations(lines).items():
        with pytest.raises(BundleError) as caught:
            _verify(bad, tmp_path)
        assert " / " in str(caught.value), name
    with pytest.raises(BundleUnreadable):
        _verify(["not a bundle"], tmp_path)
    with pytest.raises(BundleUnreadable):
        _verify([json.dumps({"format": "something/else"})], tmp_path)
    with pytest.raises(BundleError, match=r"history was rewritten"):
        _verify(lines, tmp_path, _LyingChain(3))
    other_office = PinnedTrust(1337, "0x" + "00" * 19 + "01", frozenset({str(s.OWNER.did)}))
    with pytest.raises(BundleError, match="is not a trusted root"):
        _verify(lines, tmp_path, trust=other_office)


def test_parallel_workers_give_the_same_verdict(tmp_path: Path) -> None:
    size = 1100
    lines = list(s.bundle_lines(s.synthetic_entries(0, size, {}), size, every=100))
    one = _verify(lines, tmp_path, jobs=1)
    two = _verify(lines, tmp_path, jobs=2)
    assert one.lines == two.lines and one.entries == size
    bad = [*lines]
    bad[700] = bad[700].replace("账户", "账户X")  # breaks the entry's signature
    with pytest.raises(BundleError, match="line 701"):
        _verify(bad, tmp_path, jobs=2)


def test_the_verifier_follows_accounts_by_id(tmp_path: Path) -> None:
    """Finding 14 offline: a bundle whose look-alike account restarts at 0.00 is refused."""
    real, alike = "物业服务费收支（演示）", "物业服务费收支(演示)"
    nov = s.income_expense(account=real, period="2026-11")

    def bundle(*bodies: tuple[str, dict[str, Any]]) -> list[str]:
        entries = [s.raw(s.disclosure(kind, body)) for kind, body in bodies]
        return list(s.bundle_lines(entries, len(entries), every=1))

    opened = ("AccountOpened", s.account_opened(account=real, period="2026-11"))
    good = bundle(opened, ("IncomeExpense", nov))
    assert "物业服务费收支（演示）”（" in "\n".join(_verify(good, tmp_path).lines)
    restarted = ("IncomeExpense", s.income_expense(account=alike, period="2026-12"))
    with pytest.raises(BundleError, match="AccountOpened entry first"):
        _verify(bundle(opened, ("IncomeExpense", nov), restarted), tmp_path)
    reopened = ("AccountOpened", s.account_opened(account=alike, period="2026-12"))
    with pytest.raises(BundleError, match="looks like"):
        _verify(bundle(opened, ("IncomeExpense", nov), reopened), tmp_path)
