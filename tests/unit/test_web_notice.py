"""web.pages.notice: what the result notice states, from the v2 box entries, in plain words and
exact figures; refused when the entries do not make a notice."""

from __future__ import annotations

import base64
import copy
import re
from fractions import Fraction
from typing import Any

import pytest
import segno
from hypothesis import given
from hypothesis import strategies as st

from identity.community.trustfile import (
    TrustFileError,
    parse_trust,
    trust_bytes,
    trust_from_link,
    trust_link,
)
from tests.notice_support import TRUST, VERIFY_URL, entries
from voting.area import Area
from voting.census import Tally
from web.pages.notice import NoticeError, NoticeItem, NoticeModel, notice_model, percent

Entries = tuple[dict[str, Any], dict[str, Any], dict[str, Any]]


@pytest.fixture(scope="module")
def decided() -> Entries:
    announced, result, final, _ = entries()
    return announced, result, final


def model(e: Entries, *, final: bool = False, **kw: Any) -> NoticeModel:
    announced, result, last = copy.deepcopy(e)
    args: dict[str, Any] = {"verify_url": VERIFY_URL, "trust": TRUST} | kw
    return notice_model(announced, result, last if final else None, **args)


def tally(area: str, heads: int) -> dict[str, Any]:
    return Tally(Area.parse(area) if area != "0.00" else Area(0), heads).to_json()


def motion(
    matter: int,
    *,
    total: tuple[str, int],
    part: tuple[str, int],
    agree: tuple[str, int],
    passed: bool,
) -> Entries:
    """A one-motion ballot whose result has exactly these figures (oppose = the rest)."""
    announced, result, final, _ = entries()
    announced["items"] = [
        {
            "id": "1",
            "kind": "motion",
            "matter": matter,
            "matterName": "",
            "title": "议题",
            "text": "",
            "attachments": [],
        }
    ]
    oppose = Area(Area.parse(part[0]).hundredths - Area.parse(agree[0]).hundredths)
    result["items"] = [
        {
            "id": "1",
            "kind": "motion",
            "outcome": {
                "total": tally(*total),
                "participating": tally(*part),
                "agree": tally(*agree),
                "oppose": Tally(oppose, part[1] - agree[1]).to_json(),
                "abstain": tally("0.00", 0),
                "passed": passed,
            },
        }
    ]
    return announced, result, final


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [
        (2, 3, "66.66%"),
        (2, 193, "1.03%"),  # 1.036…: as the dashboard and the owner's page show it
        (1, 8, "12.50%"),
        (1, 800, "0.12%"),
        (1, 1600, "0.06%"),
        (0, 5, "0.00%"),
        (5, 5, "100.00%"),
        (5, 0, "—"),
        (2 * 10**40, 3 * 10**40 + 1, "66.66%"),
    ],
)
def test_percentages_are_truncated_in_integers(part: int, whole: int, shown: str) -> None:
    assert percent(part, whole) == shown


@given(st.integers(0, 10**12), st.integers(1, 10**12))
def test_percentages_match_the_exact_fraction(part: int, whole: int) -> None:
    exact = Fraction(part * 100, whole)
    hundredths = int(exact * 100)  # truncated: never more than the share
    assert percent(part, whole) == f"{hundredths // 100}.{hundredths % 100:02d}%"


def test_a_preliminary_notice_states_the_facts(decided: Entries) -> None:
    n = model(decided, community_name="仙霞示范小区（演示）")
    assert n.heading == "仙霞示范小区（演示）业主共同决定事项表决结果公告"
    assert not n.final and n.stage == "初步结果（异议期内）"
    # Beijing time: 02:00Z opens at 10:00, 10:00Z closes at 18:00.
    assert "表决自2026年3月16日 10:00起至2026年4月15日 18:00止（北京时间）" in n.intro
    assert "共计入有效表决票160份" in n.intro
    spend, rebuild, election = n.items
    assert spend.matter == "民法典第二百七十八条第一款第（五）项：使用建筑物及其附属设施的维修资金"
    assert spend.amount == "¥1,234,567.89"
    assert spend.rule == (
        "需参与表决的业主专有部分面积和人数均达到全体业主的三分之二以上，"
        "且参与表决者中面积和人数均过半数同意"
    )
    assert rebuild.rule.endswith("且参与表决者中面积和人数均四分之三以上同意")
    assert (spend.passed, spend.outcome) == (True, "本项表决通过。")
    assert (rebuild.passed, rebuild.outcome) == (False, "本项表决未通过。")
    assert rebuild.amount is None
    labels = [f.label for f in spend.figures]
    assert labels == ["全体业主", "参与表决", "未参与表决", "同意", "反对", "弃权"]
    total, part = spend.figures[0], spend.figures[1]
    assert (total.area, total.headcount) == ("20,580.84", 193)
    assert (part.area, part.area_share, part.headcount, part.headcount_share) == (
        "16,325.61",
        percent(1632561, 2058084),
        160,
        "82.90%",
    )
    assert "均过半数" in spend.reasons[1] and "均未达到四分之三以上" in rebuild.reasons[1]
    assert election.seats == 2 and election.passed
    assert election.outcome == "当选：候选人乙（2-2-502）、候选人甲（1-1-101）（共2席，当选2名）。"
    assert [(c.label, c.verdict) for c in election.candidates] == [
        ("候选人甲（1-1-101）", "当选"),
        ("候选人乙（2-2-502）", "当选"),
        ("候选人丙（5-1-302）", "未当选"),
    ]
    assert "先按赞成面积、再按赞成人数排序，依次当选，共2席" in election.rule
    assert "可于2026年4月22日 18:05（北京时间）前在系统中提出异议" in n.status[1]
    assert n.published == "2026年4月15日"  # the close, in Beijing
    assert n.signer == "仙霞示范小区（演示）业主委员会"


def test_a_final_notice_says_the_window_is_over(decided: Entries) -> None:
    n = model(decided, final=True)
    assert n.final and n.stage == "最终结果"
    assert n.heading.startswith(decided[0]["community"])  # the slug without a name
    assert "异议期已于2026年4月22日 18:05（北京时间）届满，期间收到异议1件，均已答复。" in n.status
    assert any("至少保存至2027年4月23日" in s for s in n.status)
    assert n.published == "2026年4月23日"


def test_the_qr_code_leads_to_the_page_and_carries_the_trust_file(decided: Entries) -> None:
    n = model(decided)
    link = trust_link(VERIFY_URL, parse_trust(TRUST))
    assert n.qr().matrix == segno.make(link, error="m", micro=False).matrix
    url, trust = trust_from_link(link)
    assert (url, trust) == (VERIFY_URL, parse_trust(TRUST))
    encoded = link.split("#gongzhi-trust=")[1]
    assert base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)) == trust_bytes(trust)
    assert len(n.qr().matrix) <= 77  # version 15 at most: scannable printed 40 mm wide


@pytest.mark.parametrize("url", ["ftp://x/b/1", "https://x/b/1#frag", "/ballots/1"])
def test_a_bad_verification_address_is_refused(decided: Entries, url: str) -> None:
    with pytest.raises(TrustFileError):
        model(decided, verify_url=url)


def test_a_bad_trust_file_is_refused(decided: Entries) -> None:
    with pytest.raises(TrustFileError):
        model(decided, trust=TRUST | {"chainId": 0})


def test_a_link_without_trust_is_refused() -> None:
    for link in (VERIFY_URL, VERIFY_URL + "#other=1", VERIFY_URL + "#gongzhi-trust=!!"):
        with pytest.raises(TrustFileError):
            trust_from_link(link)


def test_exactly_two_thirds_takes_part_and_one_hundredth_less_does_not() -> None:
    at = model(motion(1, total=("300.00", 3), part=("200.00", 2), agree=("200.00", 2), passed=True))
    assert at.items[0].reasons[0] == (
        "参与表决的专有部分面积占全体业主面积的66.66%，人数占全体业主人数的66.66%，"
        "均达到三分之二以上。"
    )
    short = model(
        motion(1, total=("300.00", 3), part=("199.99", 2), agree=("199.99", 2), passed=False)
    )
    assert short.items[0].reasons == (
        "参与表决的专有部分面积占全体业主面积的66.66%，人数占全体业主人数的66.66%，"
        "面积未达到三分之二以上，人数达到三分之二以上。",
    )
    assert short.items[0].outcome == "本项表决未通过。"


def test_exactly_half_is_not_a_majority() -> None:
    n = model(motion(4, total=("400.00", 4), part=("400.00", 4), agree=("200.00", 3), passed=False))
    assert n.items[0].reasons[1] == (
        "同意的专有部分面积占参与表决面积的50.00%，人数占参与表决人数的75.00%，"
        "面积未过半数，人数过半数。"
    )


def test_a_signed_outcome_its_figures_contradict_is_refused() -> None:
    # Half the area agrees: "过半数" is not met, whatever the signed result says.
    lie = motion(4, total=("400.00", 4), part=("400.00", 4), agree=("200.00", 3), passed=True)
    with pytest.raises(NoticeError, match="do not bear out"):
        model(lie)


def _election(e: Entries) -> dict[str, Any]:
    outcome: dict[str, Any] = e[1]["items"][2]["outcome"]
    return outcome


def test_an_election_without_quorum_elects_nobody(decided: Entries) -> None:
    e = copy.deepcopy(decided)
    out = _election(e)
    out["participating"] = tally("100.00", 3)
    for c in out["candidates"]:
        c["approvals"], c["eligible"] = tally("60.00", 2), False
    out["elected"] = []
    item = model(e).items[2]
    assert item.outcome == "参与表决未达到法定比例，本项选举无人当选。" and not item.passed
    assert "均未达到三分之二以上" in item.reasons[0]


def test_an_unfilled_seat_and_a_tie_are_said(decided: Entries) -> None:
    e = copy.deepcopy(decided)
    out = _election(e)
    out["elected"], out["unresolved_tie"] = out["elected"][:1], True
    item = model(e).items[2]
    assert item.outcome == "当选：候选人乙（2-2-502）（共2席，当选1名）。"
    assert "尚有1席未选出，需另行选举。" in item.reasons
    assert any("得票相同" in r for r in item.reasons)
    assert [c.verdict for c in item.candidates] == ["过半数，未当选", "当选", "未当选"]


def test_ranking_by_headcount_is_worded_so(decided: Entries) -> None:
    e = copy.deepcopy(decided)
    e[0]["rules"]["electionRanking"] = "headcount"
    assert "先按赞成人数、再按赞成面积" in model(e).items[2].rule


def _broken(decided: Entries, how: str) -> Entries:
    e = copy.deepcopy(decided)
    announced, result, final = e
    if how == "other ballot":
        result["ballot"] = "gongzhi.test/ballot/8"
    elif how == "final of another ballot":
        final["community"] = "elsewhere"
    elif how == "item outside the agenda":
        result["items"].append({"id": "9", "kind": "motion", "outcome": {}})
    elif how == "item missing":
        result["items"].pop(0)
    elif how == "kind differs":
        result["items"][0]["kind"] = "election"
    elif how == "kind unknown":
        announced["items"][0]["kind"] = result["items"][0]["kind"] = "referendum"
    elif how == "final before the window ends":
        final["finalAt"] = "2026-04-22T10:04:59Z"
    elif how == "ineligible elected":
        _election(e)["elected"] = ["c3"]
    elif how == "eligibility lied":
        _election(e)["candidates"][2]["eligible"] = True
    elif how == "unknown candidate":
        _election(e)["candidates"][2]["id"] = "c9"
    elif how == "elected twice":
        _election(e)["elected"] = ["c1", "c1"]
    elif how == "elected not a string":
        _election(e)["elected"] = [{"id": "c1"}]
    elif how == "area malformed":
        result["items"][0]["outcome"]["agree"]["area"] = "12.3"
    elif how == "headcount a boolean":
        result["items"][0]["outcome"]["agree"]["headcount"] = True
    elif how == "more took part than exist":
        result["items"][0]["outcome"]["participating"]["headcount"] = 10_000
    elif how == "time without Z":
        result["closedAt"] = "2026-04-15T10:05:00+00:00"
    elif how == "not a result":
        result["type"] = "BallotFinal"
    elif how == "election as a motion":
        announced["items"][2]["kind"] = "motion"
        result["items"][2]["kind"] = "motion"
    elif how == "bad ranking":
        announced["rules"]["electionRanking"] = "age"
    return e


@pytest.mark.parametrize(
    "how",
    [
        "other ballot",
        "final of another ballot",
        "item outside the agenda",
        "item missing",
        "kind differs",
        "kind unknown",
        "final before the window ends",
        "ineligible elected",
        "eligibility lied",
        "unknown candidate",
        "elected twice",
        "elected not a string",
        "area malformed",
        "headcount a boolean",
        "more took part than exist",
        "time without Z",
        "not a result",
        "election as a motion",
        "bad ranking",
    ],
)
def test_entries_that_make_no_notice_are_refused_in_both_languages(
    decided: Entries, how: str
) -> None:
    with pytest.raises(NoticeError) as caught:
        model(_broken(decided, how), final=True)
    zh, en = caught.value.bilingual()
    assert zh and en and zh != en


def test_a_ballot_closed_early_says_so(decided: Entries) -> None:
    announced, result, final = decided
    early = dict(result, closedAt="2026-04-01T10:00:00Z")
    n = model((announced, early, final), community_name="仙霞示范小区（演示）")
    assert "原定至2026年4月15日 18:00止，经业主委员会决定于2026年4月1日 18:00提前结束并计票" in (
        n.intro
    )
    assert "起至2026年4月15日 18:00止（北京时间），于" not in n.intro


# --- the English translation (lang="en"): other words, the very same figures -------------

NAME = "仙霞示范小区（演示）"
SHARE = re.compile(r"[0-9]+\.[0-9]{2}%")


def test_an_english_preliminary_notice_states_the_same_facts(decided: Entries) -> None:
    n = model(decided, community_name=NAME, lang="en")
    assert n.heading == f"{NAME}: notice of the result of the owners' vote on joint decisions"
    assert not n.final and n.stage == "Preliminary result (objections may still be made)"
    assert (
        "Voting ran from 16 March 2026, 10:00 (Beijing time) to 15 April 2026, 18:00 (Beijing "
        "time); the votes were counted on 15 April 2026, 18:05 (Beijing time)."
    ) in n.intro
    assert f'of {NAME} voted on "{decided[0]["title"]}"' in n.intro  # the title as written
    assert "Valid ballots counted: 160." in n.intro
    spend, rebuild, election = n.items
    assert spend.title == "使用维修资金更换3号楼电梯"  # the committee's words, untranslated
    assert spend.matter == (
        "Civil Code Art. 278, para. 1, item (5): "
        "using the maintenance fund of the buildings and their ancillary facilities"
    )
    assert spend.amount == "¥1,234,567.89"
    assert spend.rule == (
        "owners holding two thirds or more of the total area, and two thirds or more of all "
        "owners by number, must vote; those who agree must hold more than half of the area "
        "that voted and be more than half of the owners who voted"
    )
    assert "must hold three quarters or more of the area that voted" in rebuild.rule
    assert (spend.outcome, rebuild.outcome) == ("This item passed.", "This item did not pass.")
    assert [f.label for f in spend.figures] == [
        "All owners", "Voted", "Did not vote", "Agree", "Oppose", "Abstain"
    ]  # fmt: skip
    assert spend.reasons[1] == (
        "The owners who agree hold 76.60% of the area that voted and are 76.25% of the owners "
        "who voted: each is more than half."
    )
    assert rebuild.reasons[1].endswith(": each falls short of three quarters.")
    assert election.outcome == (
        "Elected: 候选人乙（2-2-502）, 候选人甲（1-1-101） (seats filled: 2 of 2)."
    )
    assert [c.verdict for c in election.candidates] == ["Elected", "Elected", "Not elected"]
    assert "ranked by approving area, then by approving owners, and elected" in election.rule
    assert n.status == (
        "This notice states the preliminary result.",
        "An owner who disputes the result may lodge an objection in the system before "
        "22 April 2026, 18:05 (Beijing time); the owners' committee will answer each one and "
        "enter it in the ballot's record. Once the objection window has ended and every "
        "objection is answered, the final result will be announced in a further notice.",
    )
    assert n.published == "15 April 2026"
    assert n.signer == f"Owners' committee of {NAME}"
    assert "chain ID 31337" in n.verify_text and VERIFY_URL in n.verify_text
    assert "no owner's name, ID number or phone number" in n.privacy


def test_an_english_final_notice_says_the_window_is_over(decided: Entries) -> None:
    n = model(decided, final=True, lang="en")
    assert n.final and n.stage == "Final result"
    assert n.status == (
        "This notice states the final result.",
        "The objection window ended on 22 April 2026, 18:05 (Beijing time); objections "
        "received in it: 1, each one answered.",
        "The ballot's records are kept until at least 23 April 2027 (Civil Code Art. 280: an "
        "owner may ask for a decision to be revoked within one year of learning of it).",
    )
    assert n.published == "23 April 2026"
    e = copy.deepcopy(decided)
    e[2]["objections"] = []
    assert "; no objection was received in it." in model(e, final=True, lang="en").status[1]


def test_an_english_notice_of_a_ballot_closed_early_says_so(decided: Entries) -> None:
    announced, result, final = decided
    early = dict(result, closedAt="2026-04-01T10:00:00Z")
    n = model((announced, early, final), lang="en")
    assert (
        "Voting opened on 16 March 2026, 10:00 (Beijing time) and was to run until 15 April "
        "2026, 18:00 (Beijing time); the owners' committee decided to close it early, on "
        "1 April 2026, 18:00 (Beijing time), and the votes were counted then."
    ) in n.intro
    assert "Voting ran from" not in n.intro


def _numbers(item: NoticeItem) -> list[tuple[object, ...]]:
    """Every figure an item prints, and who is elected: what no translation may change."""
    rows: list[tuple[object, ...]] = [
        (f.area, f.area_share, f.headcount, f.headcount_share) for f in item.figures
    ]
    for c in item.candidates:
        a = c.approvals
        rows.append((c.label, a.area, a.area_share, a.headcount, a.headcount_share, c.elected))
    return [(item.number, item.title, item.amount, item.passed, item.seats), *rows]


@pytest.mark.parametrize("final", [False, True])
def test_both_languages_state_the_same_figures(decided: Entries, final: bool) -> None:
    zh, en = model(decided, final=final), model(decided, final=final, lang="en")
    assert zh.words is not en.words and (zh.ballot, zh.title) == (en.ballot, en.title)
    for a, b in zip(zh.items, en.items, strict=True):
        assert _numbers(a) == _numbers(b)
        # every share a reason cites, in the same order: one rule (truncated) in both
        assert [SHARE.findall(r) for r in a.reasons] == [SHARE.findall(r) for r in b.reasons]
    assert zh.qr().matrix == en.qr().matrix


def test_english_says_which_bar_is_met_when_only_one_is() -> None:
    short = model(
        motion(1, total=("300.00", 3), part=("199.99", 2), agree=("199.99", 2), passed=False),
        lang="en",
    )
    assert short.items[0].reasons == (
        "The owners who voted hold 66.66% of the total area and are 66.66% of all owners: the "
        "area share falls short of two thirds, the share of owners reaches two thirds or more.",
    )
    half = model(
        motion(4, total=("400.00", 4), part=("400.00", 4), agree=("200.00", 3), passed=False),
        lang="en",
    )
    assert (
        half.items[0]
        .reasons[1]
        .endswith(": the area share is not more than half, the share of owners is more than half.")
    )


def test_an_english_election_says_unfilled_seats_ties_and_no_quorum(decided: Entries) -> None:
    e = copy.deepcopy(decided)
    out = _election(e)
    out["elected"], out["unresolved_tie"] = out["elected"][:1], True
    e[0]["rules"]["electionRanking"] = "headcount"
    item = model(e, lang="en").items[2]
    assert item.outcome == "Elected: 候选人乙（2-2-502） (seats filled: 1 of 2)."
    assert "Seats still unfilled: 1; they need another election." in item.reasons
    assert any("tied" in r for r in item.reasons)
    verdicts = [c.verdict for c in item.candidates]
    assert verdicts == ["More than half, not elected", "Elected", "Not elected"]
    assert "ranked by approving owners, then by approving area" in item.rule
    out["participating"] = tally("100.00", 3)
    for c in out["candidates"]:
        c["approvals"], c["eligible"] = tally("60.00", 2), False
    out["elected"], out["unresolved_tie"] = [], False
    item = model(e, lang="en").items[2]
    assert item.outcome == "Too few owners voted for the vote to count: nobody is elected."
    assert item.reasons[0].endswith(": each falls short of two thirds.")
