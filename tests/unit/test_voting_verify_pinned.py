"""voting.verify with pinned trust: the committee from root-signed registrations, every
decision a proof set under the registration in force when it was signed, the box key from
BallotOpened, the log id from the origin — nothing trusted is read from the record."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from identity.community.trustfile import PinnedTrust
from identity.report import ChainState
from identity.w3c.credential import sign_credential
from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from ledger.tlog.note_keys import Ed25519Signer
from tests.record_support import (
    CHAIN_ID,
    CONTRACT,
    ORIGIN,
    Ballot,
    World,
    anchored,
    decision,
)
from voting.census_rows import census_of, census_root
from voting.verify import RecordError, verify_record


@pytest.fixture(scope="module")
def world() -> World:
    return World()


def _verify(record: dict[str, Any], world: World, **kw: Any) -> Any:
    kw.setdefault("anchored_root", anchored(record))
    kw.setdefault("trust", world.trust)
    return verify_record(record, **kw)


def _refused(record: dict[str, Any], world: World, needle: str, **kw: Any) -> RecordError:
    with pytest.raises(RecordError) as caught:
        _verify(record, world, **kw)
    assert needle in caught.value.en, caught.value.en
    assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.zh)
    return caught.value


def test_a_voter_without_a_members_credential_is_caught(world: World) -> None:
    """A census DID no registered member vouched for (the operator's key slipped into the
    register before the ballot was proposed): its vote is refused by the verifier, and so
    is one whose credential names other units or was issued by a key that is no member."""
    record = Ballot(world).record()
    first = record["credentials"][0]
    _refused(record | {"credentials": record["credentials"][1:]}, world, "no ownership")
    wrong_units = json.loads(json.dumps(first))
    wrong_units["credentialSubject"]["units"][0]["unitId"] = "9-999"
    _refused(
        record | {"credentials": [wrong_units, *record["credentials"][1:]]}, world, "no ownership"
    )
    stranger = KeyPair.generate(KeyType.ED25519)
    forged = sign_credential(
        {k: v for k, v in first.items() if k != "proof"} | {"issuer": stranger.did.value},
        stranger,
    )
    _refused(record | {"credentials": [forged, *record["credentials"][1:]]}, world, "no ownership")


def _votes(ballot: Ballot, entries: list[dict[str, Any]]) -> dict[str, str]:
    by_did = {row["did"]: row["voter"] for row in ballot.world.census()}
    return {by_did[e["voter"]]: e["choices"]["1"] for e in entries if e["type"] == "Vote"}


def test_a_valid_record_verifies_and_is_anchored(world: World) -> None:
    record = Ballot(world).record()
    report = _verify(record, world)
    assert report.chain is ChainState.CHECKED
    text = "\n".join(report.lines)
    assert "2 committee registrations, signed by a pinned root" in text
    assert "entry 0 BallotAnnounced: signed by 2 of 3 members (2 needed)" in text
    assert "entry 1 BallotOpened: signed by 2 of 3 members" in text
    assert "entry 8 BallotResult" in text
    assert "6 owners' votes" in text and "1 of 1 passed" in text


def test_an_open_ballot_verifies_as_far_as_it_goes(world: World) -> None:
    """Residents are invited to verify while a ballot runs: its record is valid so far and
    has no result yet (the trial found it reported INVALID, exit 1)."""
    ballot = Ballot(world)
    report = _verify(ballot.record([ballot.announced(), ballot.opened(), *ballot.votes()]), world)
    text = "\n".join(report.lines)
    assert "6 owners' votes" in text and "the ballot is still open: no result yet" in text


def test_offline_and_unreachable_are_said(world: World) -> None:
    record = Ballot(world).record()
    assert _verify(record, world, anchored_root=None, offline=True).chain is ChainState.OFFLINE
    unreachable = _verify(record, world, anchored_root=None)
    assert unreachable.chain is ChainState.UNREACHABLE and not unreachable.complete


def test_wrong_root_in_the_trust_file(world: World) -> None:
    other = PinnedTrust(
        CHAIN_ID, CONTRACT, frozenset({KeyPair.generate(KeyType.ED25519).did.value})
    )
    _refused(Ballot(world).record(), world, "is not a trusted root", trust=other)


def test_registration_not_signed_by_the_root(world: World) -> None:
    forger = KeyPair.generate(KeyType.ED25519)
    forged = world.registration(1, world.members[:3], world.reg(1).valid_from, None, root=forger)
    # The forger names the pinned root as issuer but signs with its own key.
    forged["issuer"] = world.root.did.value
    _refused(Ballot(world).record(registrations=[forged]), world, "signature is invalid")
    unsigned_by_root = world.registration(
        1, world.members[:3], world.reg(1).valid_from, None, root=forger
    )
    _refused(Ballot(world).record(registrations=[unsigned_by_root]), world, "is not a trusted root")


def test_the_record_must_carry_its_registrations(world: World) -> None:
    record = Ballot(world).record()
    del record["registrations"]
    _refused(record, world, "carries no committee registrations")


def test_result_signed_by_a_non_member(world: World) -> None:
    ballot = Ballot(world)
    entries = ballot.default_entries()
    operator = KeyPair.generate(KeyType.ED25519)
    a = world.members[0]
    entries[-1] = ballot.result(8, _votes(ballot, entries), signers=[a, operator])
    _refused(ballot.record(entries), world, "is not a registered committee member")


def test_operator_drops_votes_and_re_signs_with_keys_of_its_own(world: World) -> None:
    """What the server could do before: keep some votes, re-sign the result and the head."""
    ballot = Ballot(world)
    entries = ballot.default_entries()[:5]  # announced, opened and 3 votes
    own = [KeyPair.generate(KeyType.ED25519) for _ in range(2)]
    entries.append(ballot.result(5, _votes(ballot, entries), signers=own))
    _refused(ballot.record(entries), world, "is not a registered committee member")


def test_result_changed_after_signing(world: World) -> None:
    ballot = Ballot(world)
    entries = ballot.default_entries()
    entries[-1] = entries[-1] | {"votes": 5}
    _refused(ballot.record(entries), world, "signature does not hold")


def test_signed_twice_by_one_member(world: World) -> None:
    ballot = Ballot(world)
    entries = ballot.default_entries()
    a = world.members[0]
    entries[-1] = ballot.result(8, _votes(ballot, entries), signers=[a, a])
    _refused(ballot.record(entries), world, "signed this decision twice")


def test_not_enough_members(world: World) -> None:
    ballot = Ballot(world)
    entries = ballot.default_entries()
    entries[-1] = ballot.result(8, _votes(ballot, entries), signers=[world.members[1]])
    _refused(ballot.record(entries), world, "not enough members signed: 1 of 3, 2 needed")


def test_former_members_after_the_new_registration(world: World) -> None:
    """B and C were replaced at `change`: together they are still a majority of
    registration 1, but it is no longer in force when they sign."""
    ballot = Ballot(world)
    entries = ballot.default_entries()
    late = world.change + timedelta(days=1)
    _a, b, c, _d, _e = world.members
    entries[-1] = ballot.result(8, _votes(ballot, entries), signers=[b, c], at=late)
    _refused(
        ballot.record(entries), world, "its registration 1 was not in force (registration 2 was)"
    )
    # Naming the new registration does not help them: they are not its members.
    entries[-1] = ballot.result(
        8, _votes(ballot, entries), signers=[b, c], reg=world.reg(2), at=late
    )
    _refused(ballot.record(entries), world, "is not a registered committee member")


def test_new_committee_decides_after_the_change(world: World) -> None:
    ballot = Ballot(world)
    entries = ballot.default_entries()
    late = world.change + timedelta(days=1)
    a, _b, _c, d, _e = world.members
    entries[-1] = ballot.result(
        8, _votes(ballot, entries), signers=[a, d], reg=world.reg(2), at=late
    )
    report = _verify(ballot.record(entries), world)
    assert "under registration 2" in "\n".join(report.lines)


def test_decision_for_another_ballot(world: World) -> None:
    ballot = Ballot(world)
    entries = ballot.default_entries()
    other = ORIGIN.replace("/ballots/1", "/ballots/2")
    entries[-1] = ballot.result(8, _votes(ballot, entries), ballot=other)
    _refused(ballot.record(entries), world, "BallotResult is for another ballot")
    # A proof made for another ballot's result, pasted onto this one's.
    mine = ballot.result(8, _votes(ballot, entries))
    theirs = ballot.result(8, _votes(ballot, entries), ballot=other)
    entries[-1] = mine | {"proof": [mine["proof"][0], theirs["proof"][1]]}
    _refused(ballot.record(entries), world, "signed for another document")


def test_box_key_comes_from_the_committee_signed_opening(world: World) -> None:
    ballot = Ballot(world)
    rogue = Ed25519Signer.generate(ORIGIN)
    _refused(ballot.record(box=rogue), world, "not signed by the box key the committee signed")
    # Swapping logKey in BallotAnnounced breaks the members' signatures.
    entries = ballot.default_entries()
    entries[0] = entries[0] | {"logKey": rogue.vkey}
    _refused(ballot.record(entries, box=rogue), world, "signature does not hold")


def test_log_id_is_the_origins_not_the_files(world: World) -> None:
    record = Ballot(world).record()
    record["logId"] = "00" * 32
    report = _verify(record, world)  # the chain is asked under SHA-256(origin)
    assert report.chain is ChainState.CHECKED
    assert any("logId is not SHA-256 of the origin" in w.en for w in report.warnings)


def test_anchor_must_match_the_pinned_chain(world: World) -> None:
    record = Ballot(world).record()
    _refused(record, world, "no anchor of this box for size 9", anchored_root=lambda _i, _s: None)
    _refused(record, world, "differs from the record", anchored_root=lambda _i, _s: b"\x00" * 32)


def test_voter_key_change_is_a_decision(world: World) -> None:
    ballot = Ballot(world)
    census = world.census()
    new = KeyPair.generate(KeyType.ED25519)
    a, b = world.members[:2]
    change = {
        "type": "VoterKeyChanged",
        "ballot": ORIGIN,
        "community": "xianxia",
        "voter": census[0]["voter"],
        "oldDid": census[0]["did"],
        "newDid": new.did.value,
    }
    at = ballot.opened_at + timedelta(days=1)
    vote = sign_json(
        {"type": "Vote", "ballot": ORIGIN, "voter": new.did.value, "choices": {"1": "agree"}}, new
    )
    entries = [
        ballot.announced(),
        ballot.opened(),
        decision(change, [a, b], reg=world.reg(1), at=at),
        vote,
    ]
    entries.append(ballot.result(4, {census[0]["voter"]: "agree"}))
    record = ballot.record(entries)
    _refused(record, world, "holds no ownership credential")  # the new key has none yet
    record["credentials"].append(world.credential_for(new.did.value, census[0]))
    report = _verify(record, world)
    assert "entry 2 VoterKeyChanged: signed by 2 of 3" in "\n".join(report.lines)
    # The same change signed by one member only is refused.
    entries[2] = decision(change, [a], reg=world.reg(1), at=at)
    _refused(ballot.record(entries), world, "entry 2 (VoterKeyChanged) is not the committee's")


def test_cancelled_ballot(world: World) -> None:
    ballot = Ballot(world)
    a, b = world.members[:2]
    body = {"type": "BallotCancelled", "ballot": ORIGIN, "community": "xianxia", "reason": "x"}
    at = ballot.opened_at - timedelta(days=2)
    cancel = decision(body | {"cancelledAt": "x"}, [a, b], reg=world.reg(1), at=at)
    report = _verify(ballot.record([ballot.announced(), cancel]), world)
    assert "cancelled by a committee decision" in "\n".join(report.lines)
    _refused(
        ballot.record([ballot.announced(), cancel, ballot.opened()]),
        world,
        "entry 2 (BallotOpened) breaks the box's rules",
    )
    # Never once voting has opened.
    _refused(
        ballot.record([ballot.announced(), ballot.opened(), cancel]),
        world,
        "cannot be cancelled once opened",
    )


def test_result_box_size_and_recount(world: World) -> None:
    ballot = Ballot(world)
    entries = ballot.default_entries()
    entries[-1] = ballot.result(7, _votes(ballot, entries))
    _refused(ballot.record(entries), world, "box size differs from the box")
    votes = _votes(ballot, entries) | {"V0005": "agree"}
    entries[-1] = ballot.result(8, votes)  # the count is the same, one choice is not
    _refused(ballot.record(entries), world, "recounted outcome differs")


def test_census_areas_are_checked_even_under_a_valid_signature(world: World) -> None:
    """The committee signed a census whose row area is not its units' sum, or whose area
    names no source of SPC interpretation Art. 8: the root matches and the proof set is
    valid, and still the verifier refuses it."""
    ballot = Ballot(world)
    for field, value in (("area", "999.99"), ("source", "estimate")):
        census = world.census()
        if field == "area":
            census[0]["area"] = value
        else:
            census[0]["areas"][0]["source"] = value
        total = census_of(census).total.to_json()
        opened = ballot.opened(
            census={"root": census_root(census).hex(), "voters": census, "total": total}
        )
        _refused(
            ballot.record([ballot.announced(), opened, *ballot.votes()]),
            world,
            "census areas: voters[0]",
        )


def test_a_result_signed_late_is_reported(world: World) -> None:
    """北京条例 §37: the result is posted within 3 days of the count. A result the members
    signed later is still the result; the report says it was late."""
    ballot = Ballot(world)
    entries = ballot.default_entries()
    on_time = _verify(ballot.record(entries), world)
    assert not any("within 3 days" in w.en for w in on_time.warnings)
    late = ballot.closed_at + timedelta(days=3, minutes=1)
    entries[-1] = ballot.result(8, _votes(ballot, entries), at=late)
    report = _verify(ballot.record(entries), world)
    assert any("not signed within 3 days of the close" in w.en for w in report.warnings)
