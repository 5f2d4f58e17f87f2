"""The words of the public pages (home, ballot page, the demo vote form, their error pages),
Simplified Chinese first and English with ``?lang=en``.

The ballot page also says what the owner's ballot page says (turnout, results, rules), so
`text_for` lays these words over the owner's (`web.pages.owner_text`): one wording for one
thing on both pages. No key here repeats one of the owner's (a test checks), so nothing the
owner's pages say is silently changed here. Both languages have exactly the same keys and
placeholders (a test checks); English strings use ASCII punctuation only.
"""

from __future__ import annotations

from web.pages import owner_text

ZH: dict[str, str] = {
    "site": "共治 · 业主共同决定",
    "site_short": "共治",
    "lang_name": "English",
    "text_large": "大字",
    "text_normal": "标准字号",
    "owner_entry": "业主入口：登记、登录、投票",
    "owner_entry_note": "第一次使用请凭业委会发放的登记码登记",
    "accounts": "账目公开",
    "no_ballots_yet": "暂无表决。",
    "no_communities": "尚无小区。",
    "colon": "：",
    "matter_line": "第{n}项：{name}",
    "items_count": "共 {n} 个事项",
    # every status a ballot shown in public can be in (voting.ballots, voting.box_state)
    "pub_status_announced": "未开始",
    "pub_status_open": "进行中",
    "pub_status_closing": "已截止，正在计票",
    "pub_status_closed": "已结束",
    "pub_status_final": "已公布结果",
    "pub_status_cancelled": "已取消",
    "take_part": "参与表决（需双三分之二以上）",
    "area_line": "按专有面积：{voted} / {total} ㎡",
    "heads_line": "按人数：{voted} / {total} 人",
    "window_line": "投票时间：{opens} 至 {closes}（北京时间）",
    "ended_line": "投票已于 {when} 结束（北京时间）",
    "item_rule": "通过条件：{rule}",
    "demo_vote_title": "演示：以某户业主身份投票",
    "demo_unit": "房号（如 1-1-101）",
    "demo_blank": "未选择的事项视为不参与该事项的表决。",
    "demo_submit": "投票",
    "demo_off": "演示功能未开启",
    "demo_no_unit": "房号 {unit} 不在演示小区中",
    "denied_title": "业委会",
    "denied_signin": "以业委会委员身份登录",
    "denied_note": "用街道办事处登记过的委员设备登录表决管理。",
    "demo_own_phone": (
        "房号 {unit} 的业主已在自己的手机上登记，服务器没有其密钥：请在那部手机上投票"
    ),
    "demo_voted": "已投票，回执序号 {index}，叶子哈希 {leaf}…",
    "proof_title": "可验证",
    "proof_log": "投票箱日志",
    "proof_census": "名册根",
    "census_not_frozen": "名册尚未冻结（表决开始前冻结）",
    "proof_download": "下载表决记录，独立核验",
    "proof_run": "下载后运行 {command} 即可独立核验。",
    "proof_file": "记录文件",
    "error_title": "出错了",
    "error_home": "返回首页",
    "notice_print": "请用浏览器的打印功能在 A4 纸上打印（电脑按 Ctrl+P / ⌘P；手机在浏览器菜单中"
    "点“打印”，或“分享”→“打印”），或",
    "notice_pdf": "下载 PDF",
    # the English notice's note that it is a translation (the Chinese one is the original)
    "notice_translation": "",
    "notice_official_link": "",
    "back_to_ballot": "返回表决页",
}

EN: dict[str, str] = {
    "site": "Gongzhi · owners decide together",
    "site_short": "Gongzhi",
    "lang_name": "中文",
    "text_large": "Large text",
    "text_normal": "Normal text",
    "owner_entry": "For owners: enrol, sign in, vote",
    "owner_entry_note": "First time? Enrol with the code your owners' committee gave you",
    "accounts": "Public accounts",
    "no_ballots_yet": "No ballots yet.",
    "no_communities": "No community yet.",
    "colon": ": ",
    "matter_line": "Matter {n}: {name}",
    "items_count": "{n} items",
    "pub_status_announced": "Not started",
    "pub_status_open": "Voting now",
    "pub_status_closing": "Voting ended, counting",
    "pub_status_closed": "Ended",
    "pub_status_final": "Result published",
    "pub_status_cancelled": "Cancelled",
    "take_part": "Turnout (two thirds by area and by headcount needed)",
    "area_line": "By area: {voted} / {total} m²",
    "heads_line": "By headcount: {voted} / {total}",
    "window_line": "Voting: {opens} to {closes} (Beijing time)",
    "ended_line": "Voting ended on {when} (Beijing time)",
    "item_rule": "To pass: {rule}",
    "demo_vote_title": "Demo: vote as the owner of a unit",
    "demo_unit": "Unit number (e.g. 1-1-101)",
    "demo_blank": "An item left blank is one you do not take part in.",
    "demo_submit": "Vote",
    "demo_off": "demo mode is off",
    "demo_no_unit": "unit {unit} is not in the demo community",
    "denied_title": "Owners' committee",
    "denied_signin": "Sign in as a committee member",
    "denied_note": (
        "Sign in to the committee console with a member's device the street office registered."
    ),
    "demo_own_phone": (
        "the owner of unit {unit} enrolled on their own phone and the server holds no key for "
        "it: vote on that phone"
    ),
    "demo_voted": "Voted: receipt number {index}, leaf hash {leaf}...",
    "proof_title": "Verifiable",
    "proof_log": "Ballot box log",
    "proof_census": "Census root",
    "census_not_frozen": "the census is not frozen yet (it is frozen when voting opens)",
    "proof_download": "Download the ballot record and check it yourself",
    "proof_run": "Then run {command} to check it yourself.",
    "proof_file": "FILE",
    "error_title": "Something went wrong",
    "error_home": "Back to the home page",
    "notice_print": "Print it on A4 with your browser (on a computer Ctrl+P / ⌘P; on a phone"
    " the browser's menu, then Print, or Share, then Print), or",
    "notice_pdf": "download the official Chinese PDF",
    "notice_translation": (
        "This English text is a translation for reference only. The official text is the"
    ),
    "notice_official_link": "Chinese notice",
    "back_to_ballot": "Back to the ballot page",
}


def own_text(lang: str) -> dict[str, str]:
    """The public pages' own words in `lang` ("en"; anything else is Chinese)."""
    return EN if lang == "en" else ZH


def text_for(lang: str) -> dict[str, str]:
    """Every word a public page says in `lang`: the owner's pages' words and these."""
    return {**owner_text.text_for(lang), **own_text(lang)}
