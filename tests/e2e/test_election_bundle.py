"""The election record (issue 9 §9) end to end: a demo ballot announced, opened, voted on and
closed over HTTP; `gongzhi election export ID --url` from the running server (refused while
the ballot is open: its votes are hidden) and `--data` from the stopped one; `gongzhi verify
election` on the pinned chain and offline; and every edit an operator could make to a stored
ballot, census row, decision, tally, anchor or on-chain verdict caught (exit 1)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from identity.w3c.dataintegrity import sign_json
from identity.w3c.keys import KeyPair
from tests.e2e.support import live_server, settings_for
from tests.identity_web import close_ballot, open_ballot, pinned
from web.cli import entry as cli
from web.demo.community import demo_keys, demo_office_key

ITEMS = [
    {"id": "a", "kind": "motion", "matter": 4, "title": "续聘物业", "text": "续聘三年？"},
    {"id": "b", "kind": "motion", "matter": 7, "title": "加装电梯", "text": "1号楼加装电梯？"},
]
BODY: dict[str, Any] = {"title": "第二次业主大会", "text": "两项事项", "items": ITEMS}


def _owners(app: Any) -> list[KeyPair]:
    seen: dict[str, KeyPair] = {}
    for _unit, key in sorted(demo_keys(app.state.services).items()):
        seen.setdefault(key.did.value, key)
    return list(seen.values())


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One closed demo ballot, exported both ways; the data folder for the pinned chain."""
    tmp = tmp_path_factory.mktemp("election")
    settings = settings_for(tmp / "data", db_url=None, anvil_url=None)
    with live_server(settings) as (url, app):
        client = TestClient(app)
        ballot = open_ballot(client, app, BODY)
        origin, bid = ballot["origin"], ballot["id"]
        for i, key in enumerate(_owners(app)[:12]):
            choices = {"a": "agree"} if i % 3 == 0 else {"a": "agree", "b": "oppose"}
            doc = {"type": "Vote", "ballot": origin, "voter": key.did.value, "choices": choices}
            answer = client.post(f"/api/ballots/{bid}/votes", json=sign_json(doc, key))
            assert answer.status_code == 201, answer.text
        open_code = cli.main(
            ["election", "export", str(bid), "--url", url, "-o", str(tmp / "open.json")]
        )
        over_http = client.get(f"/api/ballots/{bid}/election")
        close_ballot(client, app, bid)
        by_url = tmp / "by-url.json"
        url_code = cli.main(["election", "export", str(bid), "--url", url, "-o", str(by_url)])
    by_data = tmp / "by-data.json"
    data_code = cli.main(
        ["election", "export", str(bid), "--data", str(tmp / "data"), "-o", str(by_data)]
    )
    root = demo_office_key(tmp / "data").did.value
    bundle = json.loads(by_url.read_text(encoding="utf-8"))
    return {
        "tmp": tmp,
        "open_code": open_code,
        "open_written": (tmp / "open.json").exists(),
        "over_http": (over_http.status_code, over_http.json()),
        "codes": (url_code, data_code),
        "bundle": bundle,
        "by_data": json.loads(by_data.read_text(encoding="utf-8")),
        "trust": pinned(bundle["record"], root, tmp),
        "data": str(tmp / "data"),
    }


def _verify(exported: dict[str, Any], bundle: dict[str, Any], name: str, *extra: str) -> int:
    path = exported["tmp"] / f"{name}.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    return cli.main(["verify", "election", str(path), *exported["trust"], *extra])


def test_an_open_ballot_has_no_election_record(exported: dict[str, Any]) -> None:
    assert exported["open_code"] == 2 and not exported["open_written"]
    status, body = exported["over_http"]
    assert status == 409
    assert "hidden until close" in body["error"]["en"] and "不公开" in body["error"]["zh"]


def test_export_holds_everything_and_verifies_on_the_pinned_chain(
    exported: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert exported["codes"] == (0, 0)
    bundle = exported["bundle"]
    assert bundle["specification"]["type"] == "BallotAnnounced"
    assert len(bundle["census"]["voters"]) >= 12
    assert [d["type"] for d in bundle["decisions"]] == [
        "BallotAnnounced",
        "BallotOpened",
        "BallotResult",
    ]
    assert all(len(d["signers"]) >= 2 for d in bundle["decisions"])
    assert [i["id"] for i in bundle["tally"]] == ["a", "b"]
    assert bundle["anchors"] and bundle["anchors"][-1]["tx"].startswith("0x")
    verdicts = bundle["registry"]["recorded"]["items"]
    assert [v["passed"] for v in verdicts] == [i["outcome"]["passed"] for i in bundle["tally"]]
    assert bundle["record"]["credentials"] and bundle["record"]["registrations"]
    # The stopped server's folder gives the same election (its checkpoint is signed anew).
    assert exported["by_data"]["decisions"] == bundle["decisions"]
    capsys.readouterr()
    assert _verify(exported, bundle, "online", "--data", exported["data"]) == 0
    out = capsys.readouterr().out
    assert "word for word" in out and "逐字相符" in out
    assert "agrees with this recount on each" in out and "与本机重新计票逐项一致" in out
    assert "every anchored root is the one the pinned chain's contract holds" in out
    assert _verify(exported, exported["by_data"], "offline", "--offline") == 0
    assert "offline: not read from the chain" in capsys.readouterr().out


def _vote_index(bundle: dict[str, Any]) -> int:
    entries = bundle["record"]["entries"]
    return next(i for i, e in enumerate(entries) if '"type":"Vote"' in e)


def _edit_entry(index: Callable[[dict[str, Any]], int], edit: Callable[[Any], None]) -> Any:
    def change(bundle: dict[str, Any]) -> None:
        entries = bundle["record"]["entries"]
        i = index(bundle)
        doc = json.loads(entries[i])
        edit(doc)
        entries[i] = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True)

    return change


def _flip_vote(doc: dict[str, Any]) -> None:
    doc["choices"]["a"] = "oppose"


def _census_row(doc: dict[str, Any]) -> None:
    doc["census"]["voters"][0]["area"] = "999.00"


def _result_outcome(doc: dict[str, Any]) -> None:
    doc["items"][1]["outcome"]["passed"] = not doc["items"][1]["outcome"]["passed"]


def _top(name: str, edit: Callable[[Any], None]) -> Callable[[dict[str, Any]], None]:
    return lambda bundle: edit(bundle[name])


def _drop_vote(bundle: dict[str, Any]) -> None:
    del bundle["record"]["entries"][_vote_index(bundle)]


def _verdict(bundle: dict[str, Any]) -> None:
    verdict = bundle["registry"]["recorded"]["items"][0]
    verdict["passed"] = not verdict["passed"]


def _anchor(bundle: dict[str, Any]) -> None:
    bundle["anchors"][0]["root"] = "00" * 32


def _type_of(kind: str) -> Callable[[dict[str, Any]], int]:
    return lambda bundle: next(
        i for i, e in enumerate(bundle["record"]["entries"]) if f'"type":"{kind}"' in e
    )


TAMPER: dict[str, Callable[[dict[str, Any]], None]] = {
    "stored vote": _edit_entry(_vote_index, _flip_vote),
    "vote dropped": _drop_vote,
    "census row in the log": _edit_entry(_type_of("BallotOpened"), _census_row),
    "census row in the bundle": _top("census", lambda c: c["voters"][0].update(area="999.00")),
    "decision": _edit_entry(_type_of("BallotResult"), _result_outcome),
    "decision signers": _top("decisions", lambda d: d[1]["signers"].pop()),
    "tally": _top("tally", lambda t: t[0]["outcome"]["agree"].update(headcount=1)),
    "result": _top("result", lambda r: r.update(votes=r["votes"] + 1)),
    "specification": _top("specification", lambda s: s.update(title="别的大会")),
    "on-chain verdict": _verdict,
    "anchor": _anchor,
}


@pytest.mark.parametrize("case", sorted(TAMPER))
def test_every_change_is_caught(exported: dict[str, Any], case: str) -> None:
    bundle = copy.deepcopy(exported["bundle"])
    TAMPER[case](bundle)
    assert _verify(exported, bundle, f"tampered-{case.replace(' ', '-')}", "--offline") == 1


def test_a_verdict_changed_is_caught_against_the_chain_too(exported: dict[str, Any]) -> None:
    """With the bundle's own verdicts dropped, the chain's are read and checked; changed in
    the bundle, they differ from the chain's."""
    bundle = copy.deepcopy(exported["bundle"])
    bundle["registry"]["recorded"] = None
    assert _verify(exported, bundle, "chain-verdicts", "--data", exported["data"]) == 0
    _verdict(changed := copy.deepcopy(exported["bundle"]))
    assert _verify(exported, changed, "changed-verdicts", "--data", exported["data"]) == 1


def test_not_an_election_record_is_refused(exported: dict[str, Any]) -> None:
    record = exported["bundle"]["record"]
    assert _verify(exported, record, "just-a-record", "--offline") == 1
    path = exported["tmp"] / "garbage.json"
    path.write_text("[1", encoding="utf-8")
    assert cli.main(["verify", "election", str(path), *exported["trust"], "--offline"]) == 2
