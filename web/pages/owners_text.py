"""The words of the committee's owners page (业主登记, `/communities/SLUG/committee`): who has
enrolled, the form that prints enrolment codes, and the forms for a lost phone, a new
designated holder and a new guardian. Simplified Chinese first, English with ``?lang=en``;
`{name}` marks a value the page fills in. Both languages have exactly the same keys (a test
checks). The header's brand and language switch are the console's own words."""

from __future__ import annotations

from web.pages import console_text

ZH: dict[str, str] = {
    "app": console_text.ZH["app"],
    "other_lang": console_text.ZH["other_lang"],
    "title": "业主登记",
    "summary": (
        "共 {units} 套房屋，{waiting} 套的表决人尚未登记。"
        "本页只显示房号和登记状态，不显示任何个人信息。"
    ),
    "to_ballots": "表决管理（发起表决、投票进度）",
    "not_done": "未办理：",
    "sheet_title": "打印登记码",
    "sheet_help": (
        "每位表决人一张：多套房屋的同一业主只得一个码。登记码只显示这一次，打印后请当面或投递交给业主；"
        "重新生成会使此人旧码作废。"
    ),
    "sheet_units": "房号（可留空＝所有尚未登记的表决人；多个用逗号或空格分开）",
    "sheet_units_ph": "如 1-1-101, 3-2-1101",
    "sheet_days": "有效天数（1 到 90 天）",
    "sheet_submit": "生成并打印登记码",
    "recovery_title": "挂失补办（手机丢失）",
    "recovery_help": (
        "请当面核对表决人的身份证件：业主由监护人代为表决的，核对监护人本人的证件。"
        "原手机的密钥立即作废（不能再登录或投票），已投的票不受影响；新登记码只显示一次。"
    ),
    "unit": "房号",
    "recovery_id": "表决人（或其监护人）的证件号码",
    "recovery_submit": "挂失并生成新登记码",
    "holder_title": "更换表决人（共有房屋）",
    "holder_help": "共有人书面推选另一位共有人表决时使用。原表决人的凭证不再包含该房屋。",
    "holder_id": "新表决人的证件号码",
    "holder_submit": "更换表决人",
    "guardian_title": "更换监护人",
    "guardian_help": (
        "法院指定了新的监护人，或业主已恢复完全民事行为能力时使用（请核对判决书或证明材料）。"
        "原监护人的凭证不再包含该业主的房屋，其登录立即结束；进行中的表决名册不变，"
        "但原监护人不能再为该业主投票。个人信息加密保存。"
    ),
    "guardian_name": "新监护人姓名",
    "guardian_id": "新监护人证件号码",
    "guardian_phone": "新监护人手机号",
    "no_guardian": "不再设监护人（业主本人表决）",
    "guardian_submit": "更换监护人",
    "list_title": "各楼房屋与登记情况",
    "find_label": "查找房号（可只输一部分，如 3-2 或 1101）",
    "find_ph": "如 3-2-1101",
    "only_waiting": "只看尚未登记的",
    "find_submit": "查找",
    "no_match": "没有符合条件的房屋。",
    "building": "{building} 号楼：共 {units} 套，{waiting} 套未登记",
    "col_unit": "房号",
    "col_area": "面积（㎡）",
    "col_co_owners": "共有人",
    "col_enrolled": "已登记",
    # the printable code sheet (and what an owner act did, above its new code)
    "sheet_page_title": "登记码 · {name}",
    "sheet_made": (
        "共 {count} 张登记码，生成于 {made}（北京时间）。这些登记码只显示这一次，"
        "请现在打印（Ctrl+P / ⌘P）。"
    ),
    "sheet_no_code": "表决人已登记，无需新登记码；新凭证待业委会委员签发。",
    "sheet_nobody": "没有需要登记的表决人。",
    "card_title": "{name} · 业主登记码",
    "card_units": "房号：{units}",
    "card_help": (
        "请用手机扫描二维码，或打开 {page} 输入上面的登记码。登记码只能使用一次，"
        "{expires}（北京时间）前有效。请勿交给他人。"
    ),
    "done_recovery": (
        "房屋 {unit}：原手机的密钥已挂失作废（撤销 {revoked} 份凭证），请把新登记码交给表决人本人。"
    ),
    "done_holder": "房屋 {unit}：已更换表决人（撤销 {revoked} 份凭证，{issued} 份待委员签发）。",
    "done_guardian": (
        "房屋 {unit}：已更换监护人（撤销 {revoked} 份凭证，{issued} 份待委员签发）。"
        "进行中的表决名册不变，原监护人不能再为该业主投票。"
    ),
}

EN: dict[str, str] = {
    "app": console_text.EN["app"],
    "other_lang": console_text.EN["other_lang"],
    "title": "Owners' register",
    "summary": (
        "{units} units; the voters of {waiting} of them have not enrolled yet. This page shows "
        "only unit numbers and whether they enrolled, nothing personal."
    ),
    "to_ballots": "Ballots (start a ballot, see turnout)",
    "not_done": "Not done: ",
    "sheet_title": "Print enrolment codes",
    "sheet_help": (
        "One per voter: an owner of several units gets one code. A code is shown only this once: "
        "print it and hand it to the owner in person or by letter; making a new one cancels "
        "that person's old code."
    ),
    "sheet_units": (
        "Unit numbers (leave empty for every voter not enrolled yet; separate several with "
        "commas or spaces)"
    ),
    "sheet_units_ph": "e.g. 1-1-101, 3-2-1101",
    "sheet_days": "Valid for (1 to 90 days)",
    "sheet_submit": "Make and print enrolment codes",
    "recovery_title": "Lost phone",
    "recovery_help": (
        "Check the voter's identity document in person; for an owner whose guardian votes, "
        "the guardian's own. The old phone's key stops working at once (no more sign-in or "
        "votes); votes already cast stand. The new code is shown only once."
    ),
    "unit": "Unit number",
    "recovery_id": "ID number of the voter (or their guardian)",
    "recovery_submit": "Report lost and make a new code",
    "holder_title": "Change the voter (co-owned unit)",
    "holder_help": (
        "When the co-owners name another of them in writing to vote. The former voter's "
        "credential no longer includes the unit."
    ),
    "holder_id": "ID number of the new voter",
    "holder_submit": "Change the voter",
    "guardian_title": "Change the guardian",
    "guardian_help": (
        "When a court appoints a new guardian, or the owner regains full legal capacity "
        "(check the judgment or certificate). The former guardian's credential no longer "
        "includes the owner's units and their sign-in ends at once; an open ballot keeps its "
        "census, but the former guardian can no longer vote for this owner. Personal data "
        "is stored encrypted."
    ),
    "guardian_name": "New guardian's name",
    "guardian_id": "New guardian's ID number",
    "guardian_phone": "New guardian's mobile number",
    "no_guardian": "No guardian any more (the owner votes)",
    "guardian_submit": "Change the guardian",
    "list_title": "Units by building, and who has enrolled",
    "find_label": "Find a unit (part of its number will do, e.g. 3-2 or 1101)",
    "find_ph": "e.g. 3-2-1101",
    "only_waiting": "Only those not enrolled yet",
    "find_submit": "Find",
    "no_match": "No unit matches.",
    "building": "Building {building}: {units} units, {waiting} not enrolled",
    "col_unit": "Unit",
    "col_area": "Area (m²)",
    "col_co_owners": "Co-owners",
    "col_enrolled": "Enrolled",
    "sheet_page_title": "Enrolment codes · {name}",
    "sheet_made": (
        "{count} enrolment codes, made {made} (Beijing time). They are shown only this once: "
        "print them now (Ctrl+P / ⌘P)."
    ),
    "sheet_no_code": (
        "The voter has enrolled: no new code is needed; the new credentials await the "
        "committee members' signatures."
    ),
    "sheet_nobody": "No voter needs enrolling.",
    "card_title": "{name} · owner's enrolment code",
    "card_units": "Units: {units}",
    "card_help": (
        "Scan the QR code with your phone, or open {page} and type the code above. The code "
        "works once, until {expires} (Beijing time). Do not give it to anyone else."
    ),
    "done_recovery": (
        "Unit {unit}: the lost phone's key is revoked ({revoked} credentials withdrawn); hand "
        "the new code to the voter in person."
    ),
    "done_holder": (
        "Unit {unit}: the voter is changed ({revoked} credentials withdrawn, {issued} await "
        "the members' signatures)."
    ),
    "done_guardian": (
        "Unit {unit}: the guardian is changed ({revoked} credentials withdrawn, {issued} await "
        "the members' signatures). The census of a ballot under way stays; the former "
        "guardian can no longer vote for this owner."
    ),
}


def text_for(lang: str) -> dict[str, str]:
    """The page words in `lang` ("en"; anything else is Chinese)."""
    return EN if lang == "en" else ZH
