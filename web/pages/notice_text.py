"""The words of the result notice (表决结果公告), Simplified Chinese first and English with
``?lang=en``: every sentence `web.pages.notice.notice_model` writes and every label the page
and the PDF lay out beside its figures.

The Chinese notice is the committee's official text (its PDF is Chinese only); the English one
is a translation for reference with the same figures. `{name}` marks a value the builder
fills in; the committee's own texts (community, ballot and item titles, candidates) go in as
written, never translated. Both languages have exactly the same keys and placeholders (a test
checks); English strings use ASCII punctuation only, as on the public pages.
"""

from __future__ import annotations

ZH: dict[str, str] = {
    # Beijing time; `months` is what {month} is drawn from, month 1 first.
    "months": "1 2 3 4 5 6 7 8 9 10 11 12",
    "at": "{year}年{month}月{day}日 {hm}",
    "date": "{year}年{month}月{day}日",
    "heading": "{community}业主共同决定事项表决结果公告",
    "stage_preliminary": "初步结果（异议期内）",
    "stage_final": "最终结果",
    "window_on_time": "表决自{opens}起至{closes}止（北京时间），于{closed}计票",
    "window_early": (
        "表决自{opens}起，原定至{closes}止，经业主委员会决定于{closed}提前结束并计票（北京时间）"
    ),
    "intro": (
        "{community}业主大会就“{title}”进行表决。{window}，共计入有效表决票{votes}份。"
        "现将表决结果公告如下："
    ),
    # one item's heading and lines
    "item_heading": "第{n}项　{title}",
    "matter_line": "事项：{matter}",
    "amount_line": "金额：{amount}",
    "rule_line": "表决规则：{rule}。",
    "matter": "民法典第二百七十八条第一款第（{n}）项：{name}",
    "numerals": "〇一二三四五六七八九",
    # the tables
    "th_area": "面积（平方米）",
    "th_area_share": "面积比例",
    "th_headcount": "人数",
    "th_headcount_share": "人数比例",
    "th_candidate": "候选人",
    "th_approving_area": "赞成面积",
    "th_approving_headcount": "赞成人数",
    "th_of_voting": "（占参与表决）",
    "th_verdict": "结果",
    "row_total": "全体业主",
    "row_voted": "参与表决",
    "row_absent": "未参与表决",
    "row_agree": "同意",
    "row_oppose": "反对",
    "row_abstain": "弃权",
    "row_approve": "赞成",
    "of_total": "占全体业主",
    "of_voting": "占参与表决",
    # the bars of Civil Code Art. 278 (voting.matters), named and said met or not
    "bar_two_thirds": "三分之二以上",
    "bar_three_quarters": "四分之三以上",
    "bar_majority": "过半数",
    "met_two_thirds": "达到三分之二以上",
    "unmet_two_thirds": "未达到三分之二以上",
    "met_three_quarters": "达到四分之三以上",
    "unmet_three_quarters": "未达到四分之三以上",
    "met_majority": "过半数",
    "unmet_majority": "未过半数",
    "met_both": "均{verdict}",
    "met_split": "面积{area}，人数{headcount}",
    # the rules in plain words
    "rule_quorum": "需参与表决的业主专有部分面积和人数均达到全体业主的{bar}",
    "rule_motion": "{quorum}，且参与表决者中面积和人数均{bar}同意",
    "rule_election": (
        "{quorum}；候选人须获参与表决者中面积和人数均{bar}赞成，"
        "符合条件者{order}排序，依次当选，共{seats}席"
    ),
    "order_area": "先按赞成面积、再按赞成人数",
    "order_headcount": "先按赞成人数、再按赞成面积",
    # outcomes and why
    "reason_turnout": (
        "参与表决的专有部分面积占全体业主面积的{area}，人数占全体业主人数的{headcount}，{verdict}。"
    ),
    "reason_agree": (
        "同意的专有部分面积占参与表决面积的{area}，人数占参与表决人数的{headcount}，{verdict}。"
    ),
    "passed": "本项表决通过。",
    "failed": "本项表决未通过。",
    "elected": "当选：{names}（共{seats}席，当选{count}名）。",
    "names_sep": "、",
    "no_quorum_nobody": "参与表决未达到法定比例，本项选举无人当选。",
    "nobody_elected": "没有候选人获得参与表决者面积和人数均过半数的赞成，本项选举无人当选。",
    "seats_unfilled": "尚有{seats}席未选出，需另行选举。",
    "tie": "最后一席候选人得票相同，依议事规则的排序无法决出，需另行表决。",
    "verdict_elected": "当选",
    "verdict_eligible": "过半数，未当选",
    "verdict_not_elected": "未当选",
    # where the ballot stands
    "status_preliminary": "本公告为初步结果。",
    "status_objections": (
        "业主对表决结果有异议的，可于{until}（北京时间）前在系统中提出异议；"
        "业主委员会将逐一答复并记入表决记录。异议期满、异议均获答复后，另行公告最终结果。"
    ),
    "status_final": "本公告为最终结果。",
    "status_window_over": "异议期已于{until}（北京时间）届满，{objections}",
    "objections_answered": "期间收到异议{count}件，均已答复。",
    "no_objections": "期间未收到异议。",
    "retention": (
        "表决资料至少保存至{day}（民法典第二百八十条：业主可自知道之日起一年内请求撤销）。"
    ),
    "verify": (
        "扫描二维码可打开本表决的核验页面（{url}），任何人都可自行核对每一张表决票"
        "与计票结果。二维码同时带有信任文件（链 ID {chain}，锚定合约 "
        "{contract}）；核验时以街道办事处发放的信任文件为准。"
    ),
    "signer": "{community}业主委员会",
    "privacy": (
        "本公告只列面积与人数，候选人以业主委员会公告的称谓列出，不载业主姓名及证件、电话号码。"
    ),
}

EN: dict[str, str] = {
    "months": (
        "January February March April May June July August September October November December"
    ),
    "at": "{day} {month} {year}, {hm} (Beijing time)",
    "date": "{day} {month} {year}",
    "heading": "{community}: notice of the result of the owners' vote on joint decisions",
    "stage_preliminary": "Preliminary result (objections may still be made)",
    "stage_final": "Final result",
    "window_on_time": "Voting ran from {opens} to {closes}; the votes were counted on {closed}",
    "window_early": (
        "Voting opened on {opens} and was to run until {closes}; the owners' committee decided "
        "to close it early, on {closed}, and the votes were counted then"
    ),
    "intro": (
        'The owners\' assembly of {community} voted on "{title}". {window}. '
        "Valid ballots counted: {votes}. The result is announced as follows:"
    ),
    "item_heading": "Item {n}: {title}",
    "matter_line": "Matter: {matter}",
    "amount_line": "Amount: {amount}",
    "rule_line": "Rule: {rule}.",
    "matter": "Civil Code Art. 278, para. 1, item ({n}): {name}",
    "numerals": "0123456789",
    "th_area": "Area (m²)",
    "th_area_share": "Share",
    "th_headcount": "Owners",
    "th_headcount_share": "Share",
    "th_candidate": "Candidate",
    "th_approving_area": "Approving area",
    "th_approving_headcount": "Approving owners",
    "th_of_voting": "(share of those voting)",
    "th_verdict": "Result",
    "row_total": "All owners",
    "row_voted": "Voted",
    "row_absent": "Did not vote",
    "row_agree": "Agree",
    "row_oppose": "Oppose",
    "row_abstain": "Abstain",
    "row_approve": "Approve",
    "of_total": "of all owners",
    "of_voting": "of those voting",
    "bar_two_thirds": "two thirds or more",
    "bar_three_quarters": "three quarters or more",
    "bar_majority": "more than half",
    "met_two_thirds": "reaches two thirds or more",
    "unmet_two_thirds": "falls short of two thirds",
    "met_three_quarters": "reaches three quarters or more",
    "unmet_three_quarters": "falls short of three quarters",
    "met_majority": "is more than half",
    "unmet_majority": "is not more than half",
    "met_both": "each {verdict}",
    "met_split": "the area share {area}, the share of owners {headcount}",
    "rule_quorum": (
        "owners holding {bar} of the total area, and {bar} of all owners by number, must vote"
    ),
    "rule_motion": (
        "{quorum}; those who agree must hold {bar} of the area that voted and be {bar} of "
        "the owners who voted"
    ),
    "rule_election": (
        "{quorum}; a candidate qualifies with the approval of {bar} of the area that voted and "
        "{bar} of the owners who voted; qualifying candidates are ranked {order}, and elected "
        "in that order; seats: {seats}"
    ),
    "order_area": "by approving area, then by approving owners",
    "order_headcount": "by approving owners, then by approving area",
    "reason_turnout": (
        "The owners who voted hold {area} of the total area and are {headcount} of all "
        "owners: {verdict}."
    ),
    "reason_agree": (
        "The owners who agree hold {area} of the area that voted and are {headcount} of the "
        "owners who voted: {verdict}."
    ),
    "passed": "This item passed.",
    "failed": "This item did not pass.",
    "elected": "Elected: {names} (seats filled: {count} of {seats}).",
    "names_sep": ", ",
    "no_quorum_nobody": "Too few owners voted for the vote to count: nobody is elected.",
    "nobody_elected": (
        "No candidate won the approval of more than half of the area and more than half of "
        "the owners that voted: nobody is elected."
    ),
    "seats_unfilled": "Seats still unfilled: {seats}; they need another election.",
    "tie": (
        "The candidates for the last seat are tied and the ranking in the rules of procedure "
        "cannot separate them: it needs another vote."
    ),
    "verdict_elected": "Elected",
    "verdict_eligible": "More than half, not elected",
    "verdict_not_elected": "Not elected",
    "status_preliminary": "This notice states the preliminary result.",
    "status_objections": (
        "An owner who disputes the result may lodge an objection in the system before "
        "{until}; the owners' committee will answer each one and enter it in the ballot's "
        "record. Once the objection window has ended and every objection is answered, the "
        "final result will be announced in a further notice."
    ),
    "status_final": "This notice states the final result.",
    "status_window_over": "The objection window ended on {until}; {objections}",
    "objections_answered": "objections received in it: {count}, each one answered.",
    "no_objections": "no objection was received in it.",
    "retention": (
        "The ballot's records are kept until at least {day} (Civil Code Art. 280: an owner "
        "may ask for a decision to be revoked within one year of learning of it)."
    ),
    "verify": (
        "Scan the QR code to open this ballot's verification page ({url}), where anyone can "
        "check every ballot and the count for themselves. The QR code also carries the trust "
        "file (chain ID {chain}, anchor contract {contract}); when verifying, the trust file "
        "issued by the street office is the one that counts."
    ),
    "signer": "Owners' committee of {community}",
    "privacy": (
        "This notice lists only areas and numbers of owners, and candidates by the "
        "designations the owners' committee announced; it carries no owner's name, ID number "
        "or phone number."
    ),
}


def notice_words(lang: str) -> dict[str, str]:
    """The notice's words in `lang` ("en"; anything else is Chinese, the official text)."""
    return EN if lang == "en" else ZH
