"""The words of the committee console (表决管理): the ballot wizard, the ballot list and a
ballot's live dashboard. Simplified Chinese first, English with ``?lang=en``; `{name}` marks
a value the page's script fills in. Both languages have exactly the same keys (a test checks).

The matters' names are the Civil Code's own (`voting.matters`), and the thresholds are said
in plain words for each matter, so the committee sees what an item will need to pass."""

from __future__ import annotations

from voting.matters import Matter
from web.pages import reply_text

_THRESHOLD_ZH = (
    "需参与表决的业主专有面积和人数均达到三分之二以上，且参与表决者中面积和人数均{approval}同意"
)
_THRESHOLD_EN = (
    "Owners holding at least two thirds of the area and two thirds of the owners must take "
    "part, and of those taking part, {approval} of the area and of the headcount must agree"
)

ZH: dict[str, str] = {
    **reply_text.ZH,
    "app": "共治 · 业委会",
    "other_lang": "English",
    "title": "表决管理",
    "ballot_title": "表决详情",
    "intro": (
        "在这里发起表决、查看投票进度、录入纸质选票。每一步都要由过半数委员在各自设备上签署才生效。"
    ),
    "to_sign": "去签署页签署",
    "to_owners": "业主登记",
    "to_ballots": "返回表决列表",
    "loading": "正在读取……",
    "to_objections": "质疑答复",
    # objections (质疑) to disclosures the committee's members published
    "to_accounts": "账目公开",
    "obj_page_title": "质疑答复",
    "obj_intro": (
        "业主对委员发布的账目、合同等信息提出的质疑，须由发布该信息的委员答复。答复在本设备上用"
        "您的委员密钥签名，和签署其他业委会决定一样，服务器拿不到您的密钥。"
    ),
    "obj_mine": "待您答复的质疑",
    "obj_no_key": "本设备还没有委员密钥，不能答复。请先到签署页生成密钥，并交街道办登记。",
    "obj_key": "本设备委员密钥：{did}",
    "obj_none": "目前没有待您答复的质疑。",
    "obj_sending": "正在签名并提交答复……",
    "obj_done": "已答复，答复已记入公开的账目记录。",
    "obj_others": "待其他委员答复的质疑",
    "obj_others_note": "只有发布该信息的委员能答复，请提醒他在自己的设备上打开本页答复。",
    "obj_other_line": "第 {index} 条（{kind}）的质疑：{text}（发布人 {did}）",
    "error": "出错了：",
    # sign-in
    "signin_title": "委员登录",
    "signin_note": (
        "本页只给业委会委员使用。请用本设备的委员密钥登录（密钥在“签署页”生成并由街道办登记）。"
    ),
    "signin_button": "用本设备委员密钥登录",
    "signin_no_key": "本设备还没有委员密钥。请先到签署页生成密钥，并交街道办登记。",
    "signin_busy": "正在登录……",
    # the wizard
    "new_title": "发起新表决",
    "new_open": "发起新表决",
    "f_title": "表决标题",
    "f_title_ph": "如：2026年第二次业主大会表决",
    "f_text": "公告内容（告知全体业主的文字）",
    "f_items": "表决事项（1至20项）",
    "f_item": "第 {n} 项",
    "f_kind": "类型",
    "kind_motion": "议案（同意／反对／弃权）",
    "kind_election": "选举业委会委员（选人）",
    "f_matter": "属于民法典第二百七十八条的哪一项",
    "f_item_title": "标题",
    "f_item_text": "说明",
    "f_amount": "动用维修资金金额（元，可不填）",
    "f_seats": "选几位（席位数）",
    "f_candidates": "候选人（每行一位，写公告上的称呼，如：候选人甲（1-2-301））",
    "f_add_item": "＋ 再加一项",
    "f_remove_item": "删除这一项",
    "threshold_election": (
        "需参与表决的业主专有面积和人数均达到三分之二以上；候选人须获参与表决者中面积和人数均过半数赞成，"
        "按得票排名当选"
    ),
    "f_window": "投票时间（北京时间）",
    "f_opens": "开始日期",
    "f_opens_time": "开始时刻",
    "f_closes": "截止日期",
    "f_closes_time": "截止时刻",
    "notice_rule": (
        "按本小区议事规则：公告后须满 {notice} 天才能开始投票，所以最早 {earliest} 开始；"
        "投票期 {min} 至 {max} 天。"
    ),
    "f_submit": "提交，由委员签署公告",
    "f_submitting": "正在提交……",
    "v_fix": "请先改正标红的地方。",
    "v_title": "请填写表决标题",
    "v_text": "请填写公告内容",
    "v_too_long": "太长了：最多 {max} 个字，现在有 {n} 个",
    "v_item_title": "请填写这一项的标题",
    "v_item_text": "请填写这一项的说明",
    "v_amount": "金额须为大于 0 的数字，最多两位小数",
    "v_candidates": "请至少写一位候选人",
    "v_candidate_twice": "候选人「{label}」写了两次",
    "v_seats": "席位数须在 1 至候选人数（{n}）之间",
    "v_date": "请选择日期和时刻",
    "v_too_early": "开始投票最早为 {earliest}（公告须满 {notice} 天）",
    "v_too_late": "开始时间最多安排在 120 天之内",
    "v_window": "投票期须为 {min} 至 {max} 天，现在是 {days} 天",
    "v_order": "截止时间须晚于开始时间",
    "created": (
        "表决「{title}」已起草（第 {id} 号），状态：草稿待签。"
        "请委员们到签署页签署公告，过半数签署后即正式公告。"
    ),
    # the list
    "list_title": "本小区的表决",
    "list_none": "还没有表决。",
    "window": "投票时间：{opens} 至 {closes}",
    # Once closed the planned end is no longer when voting ended: the close says when it did.
    "window_closed": "投票时间：{opens} 至 {closed}（已结束）",
    "window_closed_early": "投票时间：{opens} 至 {closed}（提前结束，原定截止 {closes}）",
    "open_dashboard": "查看详情",
    "status_draft": "草稿待签",
    "status_announced": "已公告",
    "status_open": "投票中",
    "status_closing": "结束待签",
    "status_closed": "已出初步结果",
    "status_final": "已最终确认",
    "status_cancelled": "已取消",
    # the dashboard
    "status": "状态：{status}",
    "live": "每隔几秒自动更新",
    "updated": "更新于 {time}",
    "turnout_title": "参与情况（需面积和人数均达到三分之二以上）",
    "turnout_all": "整体（任一事项投过票）",
    "by_area": "按专有面积：{voted} / {total} ㎡（{pct}）",
    "by_heads": "按人数：{voted} / {total} 人（{pct}）",
    "met": "✓ 已达到三分之二",
    "not_met": "未达到三分之二",
    "item_line": "第 {n} 项：{title}",
    "pending_title": "尚未投票（按楼栋）",
    "pending_summary": "还有 {voters} 人未投票，面积 {area} ㎡。",
    # The area not yet voted (`pending_area`), not the building's whole: the lines add up.
    "pending_building": "{building} 号楼：{pending} / {voters} 人未投，未投面积 {pending_area} ㎡",
    "pending_none": "全部已投票。",
    "pending_show": "逐户名单",
    "pending_voter": "{voter}：{units}（{area} ㎡）{enrolled}",
    "enrolled_yes": "",
    "enrolled_no": "· 未登记",
    "export_csv": "下载名单（CSV）",
    "export_xlsx": "下载名单（Excel）",
    "refusals_title": "被拒绝的投票",
    "refusals_none": "没有被拒绝的投票。",
    "refusal_line": "{who}：{reason}（{count} 次，最近 {at}）",
    "refusal_unknown": "身份未知",
    "refusal_counted": "（该户已有投票计入，无需处理）",
    # What the committee reads where the owner was told something meant for the owner.
    "refusal_committee_key_change_needed": "业主换了新密钥，须委员们到签署页确认后才能投票",
    # A row counted before the Chinese message was kept names its reason code in these words.
    "refusal_reason_outside_window": "不在投票时间内",
    "refusal_reason_not_open": "表决未开放投票",
    "refusal_reason_twice": "已经投过票",
    "refusal_reason_paper": "已有纸质选票",
    "refusal_reason_not_in_census": "不在本次表决的名册中",
    "refusal_reason_key_lost": "该密钥已挂失",
    "refusal_reason_key_change_needed": "新密钥须经业委会确认",
    "refusal_reason_guardian_changed": "已不是该业主的监护人",
    "refusal_reason_entry_needed": "须指明为哪一户投票",
    "refusal_reason_wrong_signer": "不是投票人本人签署",
    "refusal_reason_wrong_ballot": "不是本次表决的选票",
    "refusal_reason_bad_signature": "签名无法验证",
    "refusal_reason_malformed": "选票格式不对",
    "refusal_reason_busy": "服务器繁忙",
    "refusal_reason_other": "其他原因",
    "acts_title": "委员会操作",
    "act_open": "开启投票（冻结名册）",
    "act_close": "结束投票并计票",
    "act_close_early": "提前结束投票并计票",
    "act_cancel": "取消这次表决",
    "act_cancel_reason": "取消理由（将写入公告记录）",
    "act_final": "最终确认结果",
    "act_none": "现在没有可做的操作。",
    # A proposal awaiting the members' signatures is something to do: sign it.
    "acts_pending_draft": "公告决定已提交，待委员签署：请到签署页签署，过半数签署后正式公告。",
    "acts_pending_closing": (
        "结束投票的决定已提交，待委员签署：请到签署页签署，过半数签署后计票并出初步结果。"
    ),
    "act_done": "已提交，待签署：请委员们到签署页签署，过半数签署后生效。",
    "v_reason": "请写明取消理由",
    "objections_title": "业主异议",
    "objections_none": "没有异议。",
    "objection_line": "第 {index} 条：{text}",
    "objection_answered": "已答复",
    "objection_answer": "答复内容",
    "objection_send": "提交答复",
    "v_answer": "请填写答复内容",
    "notice_title": "结果公告",
    "notice_html": "查看结果公告",
    "notice_pdf": "下载公告（PDF）",
    # paper ballots
    "paper_title": "纸质选票录入（两名委员）",
    "paper_note": (
        "一名委员录入业主的纸质选票并选定另一名委员确认；确认后才计入。选票扫描件只保存其指纹（SHA-256）。"
    ),
    "paper_no_key": "本设备没有已登记的委员密钥，不能录入或确认纸质选票。",
    "paper_entry": "投票人编号（名册中的编号，如 V0001）",
    "paper_choice_none": "不参与",
    "paper_scan": "选择选票扫描件或照片",
    "paper_confirmer": "由哪位委员确认",
    "paper_submit": "签署并录入",
    "paper_done": "已录入第 {id} 号纸质选票，等待 {who} 确认。",
    "paper_pending": "待确认的纸质选票",
    "paper_pending_none": "没有待确认的纸质选票。",
    "paper_line": "第 {id} 号：投票人 {entry}，录入 {by}，确认 {to}",
    "paper_confirm": "核对无误，签署确认",
    "paper_confirmed": "已确认，已计入投票箱（第 {index} 条）。",
    "v_entry": "请填写名册中的投票人编号",
    "v_scan": "请选择选票扫描件",
    "v_confirmer": "请选择另一位委员",
    "paper_full": "选票全文（签署的就是这份文件）",
    "paper_wrong": "服务器给出的纸质选票不属于本表决，或不是请本设备确认的，本设备不签署。",
    "role_chair": "主任",
    "role_viceChair": "副主任",
    "role_member": "委员",
    "choice_agree": "同意",
    "choice_oppose": "反对",
    "choice_abstain": "弃权",
}

EN: dict[str, str] = {
    **reply_text.EN,
    "app": "Gongzhi · Committee",
    "other_lang": "中文",
    "title": "Ballots",
    "ballot_title": "Ballot",
    "intro": (
        "Start a ballot, follow the turnout, enter paper ballots. Every step takes effect only "
        "once more than half of the members have signed it on their own devices."
    ),
    "to_sign": "Go to the signing page",
    "to_owners": "Owners' register",
    "to_ballots": "Back to the ballots",
    "loading": "Loading…",
    "to_objections": "Objections to answer",
    "to_accounts": "Public accounts",
    "obj_page_title": "Objections to answer",
    "obj_intro": (
        "An objection an owner raises to accounts, contracts or other entries a member published"
        " is answered by the member who published it. The answer is signed on this device with"
        " your member key, as every other committee act is: the server never holds your key."
    ),
    "obj_mine": "Objections awaiting your answer",
    "obj_no_key": (
        "This device has no member key, so it cannot answer. Make one on the signing page and"
        " have the street office register it."
    ),
    "obj_key": "This device's member key: {did}",
    "obj_none": "No objection awaits your answer.",
    "obj_sending": "Signing and sending the answer…",
    "obj_done": "Answered: the answer is in the public accounts record.",
    "obj_others": "Objections awaiting other members",
    "obj_others_note": (
        "Only the member who published an entry can answer: remind them to open this page on"
        " their own device."
    ),
    "obj_other_line": "Objection to entry {index} ({kind}): {text} (published by {did})",
    "error": "Something went wrong: ",
    "signin_title": "Member sign-in",
    "signin_note": (
        "This page is for committee members. Sign in with this device's member key (made on "
        "the signing page and registered by the street office)."
    ),
    "signin_button": "Sign in with this device's member key",
    "signin_no_key": (
        "This device has no member key yet. Make one on the signing page and have the street "
        "office register it."
    ),
    "signin_busy": "Signing in…",
    "new_title": "Start a new ballot",
    "new_open": "Start a new ballot",
    "f_title": "Title",
    "f_title_ph": "e.g. Second owners' assembly vote of 2026",
    "f_text": "Notice (the text every owner is told)",
    "f_items": "Items (1 to 20)",
    "f_item": "Item {n}",
    "f_kind": "Kind",
    "kind_motion": "Motion (agree / oppose / abstain)",
    "kind_election": "Committee election (choose people)",
    "f_matter": "Which matter of Civil Code Art. 278",
    "f_item_title": "Title",
    "f_item_text": "Explanation",
    "f_amount": "Maintenance fund amount (yuan, optional)",
    "f_seats": "Seats to fill",
    "f_candidates": "Candidates (one a line, as the notice names them, e.g. Candidate A (1-2-301))",
    "f_add_item": "+ Add an item",
    "f_remove_item": "Remove this item",
    "threshold_election": (
        "Owners holding at least two thirds of the area and two thirds of the owners must take "
        "part; a candidate needs more than half of the participating area and headcount, and "
        "seats go by the ranking"
    ),
    "f_window": "Voting window (Beijing time)",
    "f_opens": "Opening date",
    "f_opens_time": "Opening time",
    "f_closes": "Closing date",
    "f_closes_time": "Closing time",
    "notice_rule": (
        "Under this community's rules, voting opens no sooner than {notice} days after the "
        "notice, so {earliest} at the earliest; the window lasts {min} to {max} days."
    ),
    "f_submit": "Submit for the members to sign the notice",
    "f_submitting": "Submitting…",
    "v_fix": "Please correct the fields marked in red first.",
    "v_title": "Give the ballot a title",
    "v_text": "Write the notice",
    "v_too_long": "Too long: {max} characters at most, {n} now",
    "v_item_title": "Give this item a title",
    "v_item_text": "Explain this item",
    "v_amount": "The amount must be a number above 0 with at most two decimals",
    "v_candidates": "Name at least one candidate",
    "v_candidate_twice": "Candidate “{label}” is listed twice",
    "v_seats": "Seats must be between 1 and the number of candidates ({n})",
    "v_date": "Choose a date and a time",
    "v_too_early": "Voting can open at {earliest} at the earliest ({notice} days' notice)",
    "v_too_late": "Voting can open at most 120 days ahead",
    "v_window": "The window must last {min} to {max} days; it is {days} days",
    "v_order": "The closing time must come after the opening time",
    "created": (
        "The ballot “{title}” is drafted (no. {id}), status: draft awaiting signatures. "
        "Members sign its notice on the signing page; once more than half have signed it is "
        "announced."
    ),
    "list_title": "This community's ballots",
    "list_none": "No ballot yet.",
    "window": "Voting: {opens} to {closes}",
    "window_closed": "Voting: {opens} to {closed} (closed)",
    "window_closed_early": "Voting: {opens} to {closed} (closed early; it was to end {closes})",
    "open_dashboard": "Details",
    "status_draft": "Draft, awaiting signatures",
    "status_announced": "Announced",
    "status_open": "Voting",
    "status_closing": "Closing, awaiting signatures",
    "status_closed": "Preliminary result",
    "status_final": "Final",
    "status_cancelled": "Cancelled",
    "status": "Status: {status}",
    "live": "Updates every few seconds",
    "updated": "Updated at {time}",
    "turnout_title": "Turnout (two thirds of the area and of the owners needed)",
    "turnout_all": "Overall (voted on any item)",
    "by_area": "By area: {voted} / {total} m² ({pct})",
    "by_heads": "By headcount: {voted} / {total} ({pct})",
    "met": "✓ two thirds reached",
    "not_met": "two thirds not reached",
    "item_line": "Item {n}: {title}",
    "pending_title": "Not voted yet (by building)",
    "pending_summary": "{voters} owners have not voted, {area} m².",
    "pending_building": (
        "Building {building}: {pending} of {voters} not voted, {pending_area} m² not voted"
    ),
    "pending_none": "Everyone has voted.",
    "pending_show": "Owner by owner",
    "pending_voter": "{voter}: {units} ({area} m²){enrolled}",
    "enrolled_yes": "",
    "enrolled_no": " · not enrolled",
    "export_csv": "Download the list (CSV)",
    "export_xlsx": "Download the list (Excel)",
    "refusals_title": "Refused votes",
    "refusals_none": "No vote was refused.",
    "refusal_line": "{who}: {reason} ({count} times, last {at})",
    "refusal_unknown": "unknown signer",
    "refusal_counted": " (this entry has a counted vote now: nothing to do)",
    "refusal_committee_key_change_needed": (
        "the owner's new key awaits the members' confirmation on the signing page before they "
        "can vote"
    ),
    "refusal_reason_outside_window": "outside the voting window",
    "refusal_reason_not_open": "the ballot was not open for voting",
    "refusal_reason_twice": "already voted",
    "refusal_reason_paper": "a paper ballot exists",
    "refusal_reason_not_in_census": "not in this ballot's census",
    "refusal_reason_key_lost": "the key was reported lost",
    "refusal_reason_key_change_needed": "a new key must be confirmed by the committee",
    "refusal_reason_guardian_changed": "no longer this owner's guardian",
    "refusal_reason_entry_needed": "must name the unit it is cast for",
    "refusal_reason_wrong_signer": "not signed by its voter",
    "refusal_reason_wrong_ballot": "not for this ballot",
    "refusal_reason_bad_signature": "the signature did not verify",
    "refusal_reason_malformed": "not a well-formed vote",
    "refusal_reason_busy": "the server was busy",
    "refusal_reason_other": "another reason",
    "acts_title": "Committee acts",
    "act_open": "Open voting (freeze the census)",
    "act_close": "Close voting and count",
    "act_close_early": "Close voting early and count",
    "act_cancel": "Cancel this ballot",
    "act_cancel_reason": "Reason for cancelling (kept in the record)",
    "act_final": "Confirm the final result",
    "act_none": "Nothing to do now.",
    "acts_pending_draft": (
        "The announcement awaits the members' signatures: sign it on the signing page; it is "
        "announced once more than half have signed."
    ),
    "acts_pending_closing": (
        "The close awaits the members' signatures: sign it on the signing page; the votes are "
        "counted once more than half have signed."
    ),
    "act_done": (
        "Submitted: members sign it on the signing page; it takes effect once more than half "
        "have signed."
    ),
    "v_reason": "Give the reason for cancelling",
    "objections_title": "Owners' objections",
    "objections_none": "No objection.",
    "objection_line": "No. {index}: {text}",
    "objection_answered": "answered",
    "objection_answer": "Answer",
    "objection_send": "Submit the answer",
    "v_answer": "Write the answer",
    "notice_title": "Result notice",
    "notice_html": "Open the result notice",
    "notice_pdf": "Download the notice (PDF)",
    "paper_title": "Paper ballots (two members)",
    "paper_note": (
        "One member enters an owner's paper ballot and chooses another member to confirm it; "
        "it counts once confirmed. Only the scan's fingerprint (SHA-256) is kept."
    ),
    "paper_no_key": (
        "This device holds no registered member key: it cannot enter or confirm paper ballots."
    ),
    "paper_entry": "Voter number (as in the census, e.g. V0001)",
    "paper_choice_none": "not taking part",
    "paper_scan": "Choose the ballot's scan or photo",
    "paper_confirmer": "Member who confirms it",
    "paper_submit": "Sign and enter",
    "paper_done": "Paper ballot no. {id} entered; waiting for {who} to confirm it.",
    "paper_pending": "Paper ballots awaiting confirmation",
    "paper_pending_none": "No paper ballot awaits confirmation.",
    "paper_line": "No. {id}: voter {entry}, entered by {by}, confirmed by {to}",
    "paper_confirm": "Checked: sign the confirmation",
    "paper_confirmed": "Confirmed and in the box (entry {index}).",
    "v_entry": "Give the voter number from the census",
    "v_scan": "Choose the ballot's scan",
    "v_confirmer": "Choose another member",
    "paper_full": "The whole paper ballot (exactly what is signed)",
    "paper_wrong": (
        "The server's paper ballot is not this ballot's, or not for this device to confirm; "
        "this device will not sign it."
    ),
    "role_chair": "chair",
    "role_viceChair": "vice chair",
    "role_member": "member",
    "choice_agree": "Agree",
    "choice_oppose": "Oppose",
    "choice_abstain": "Abstain",
}


def _matters(lang: str) -> dict[str, str]:
    """Each matter's statutory name and the threshold it implies, in plain words."""
    out: dict[str, str] = {}
    for matter in Matter:
        out[f"matter_{int(matter)}"] = matter.en if lang == "en" else matter.zh
        special = matter.approval.bound.denominator == 4
        if lang == "en":
            approval = "at least three quarters" if special else "more than half"
            out[f"threshold_{int(matter)}"] = _THRESHOLD_EN.format(approval=approval)
        else:
            approval = "达到四分之三以上" if special else "过半数"
            out[f"threshold_{int(matter)}"] = _THRESHOLD_ZH.format(approval=approval)
    return out


_ZH = ZH | _matters("zh")
_EN = EN | _matters("en")


def text_for(lang: str) -> dict[str, str]:
    """The page words in `lang` ("en"; anything else is Chinese)."""
    return _EN if lang == "en" else _ZH
