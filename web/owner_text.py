"""The words of the owner's pages, Simplified Chinese first and English on request.

Short sentences in plain words: many owners are elderly and read on a phone. `{name}` marks a
value the page's script fills in. Both languages have exactly the same keys (a test checks).
"""

from __future__ import annotations

ZH: dict[str, str] = {
    "app": "共治 · 业主投票",
    "other_lang": "English",
    "home": "首页",
    "home_title": "我的投票",
    "key_here": "本机已登记，可以投票。",
    "key_missing": "本机还没有登记。第一次使用，请先登记。",
    "key_detail": "我的身份编号",
    "enrol_button": "第一次使用：登记",
    "signin_button": "登录",
    "signed_in": "已登录",
    "open_ballots": "正在进行的表决",
    "no_ballots": "现在没有进行中的表决。",
    "go_vote": "去投票",
    "voted_already": "已投票",
    "enrol_title": "登记本机",
    "enrol_intro": (
        "请输入业委会发给您的登记码（20位字母和数字）。也可以用手机扫登记单上的二维码，会自动填好。"
    ),
    "enrol_key_note": (
        "登记时，本机会生成您专用的密钥。密钥只存在这台手机里，谁也拿不走，包括我们。"
    ),
    "code_label": "登记码",
    "code_placeholder": "例如 ABCDE-12345-FGHJK-67890",
    "enrol_submit": "登记",
    "enrol_working": "正在生成密钥并登记，请稍候……",
    "enrol_done": "登记成功！您可以投票了。",
    "enrol_waiting": "登记成功，等待业委会签发您的凭证。签发后即可投票。",
    "enrol_again": "本机已经登记过。如需为其他房屋登记，请输入新的登记码。",
    "signin_title": "登录",
    "signin_intro": "点一下下面的按钮即可登录，不需要密码。",
    "signin_submit": "一键登录",
    "signin_working": "正在登录……",
    "signin_done": "登录成功。",
    "signin_need_key": "本机还没有登记，请先登记。",
    "ballot_closes": "投票截止：",
    "ballot_details": "表决事项和通过条件",
    "my_units": "您的房屋：{units}",
    "ballot_matter": "表决事项",
    "ballot_rule": "通过条件",
    "rule_majority": "参与表决的业主中，专有面积和人数都过半数同意",
    "rule_three_quarters": "参与表决的业主中，专有面积和人数都达到四分之三以上同意",
    "ballot_window": "投票时间",
    "beijing_time": "北京时间",
    "ballot_closed": "本次表决已结束，不能再投票。",
    "choose": "请选择您的意见：",
    "agree": "同意",
    "oppose": "反对",
    "abstain": "弃权",
    "confirm_question": "您选择了：{choice}。确认提交？",
    "confirm_note": "提交后不能更改。",
    "confirm_submit": "确认提交",
    "confirm_back": "返回修改",
    "sending": "正在提交，请稍候……",
    "busy_retrying": "投票的人很多，正在自动重试，请不要离开本页……",
    "voted_title": "已投票",
    "voted_choice": "您的选择：{choice}",
    "receipt_title": "回执",
    "receipt_index": "选票编号：第 {index} 号",
    "receipt_hash": "选票凭证",
    "receipt_kept": "回执已保存在本机，以后可以随时核对。",
    "check_button": "核对我的选票",
    "checking": "正在核对……",
    "check_ok": (
        "核对成功：您的选票在投票箱里（第 {index} 号，投票箱现有 {size} 条记录），提交后没有"
        "被改动。"
    ),
    "check_failed": "核对没有通过，请截图并联系业委会：",
    "need_enrol": "本机还没有登记，不能投票。",
    "turnout": "参与情况",
    "turnout_need": "需要专有面积和人数都达到三分之二以上参与",
    "turnout_area": "按面积：{voted} / {total} 平方米",
    "turnout_heads": "按人数：{voted} / {total} 人",
    "reached": "已达到",
    "error": "出错了：",
    "no_crypto": "此浏览器不能安全地生成密钥。请用较新的手机浏览器打开，或联系业委会。",
    "verify_link": "下载表决记录，独立核验",
}

EN: dict[str, str] = {
    "app": "Gongzhi · Owners' vote",
    "other_lang": "中文",
    "home": "Home",
    "home_title": "My votes",
    "key_here": "This phone is enrolled and can vote.",
    "key_missing": "This phone is not enrolled yet. Please enrol first.",
    "key_detail": "My identity number",
    "enrol_button": "First time: enrol",
    "signin_button": "Sign in",
    "signed_in": "Signed in",
    "open_ballots": "Open ballots",
    "no_ballots": "No ballot is open now.",
    "go_vote": "Vote",
    "voted_already": "Voted",
    "enrol_title": "Enrol this phone",
    "enrol_intro": (
        "Enter the enrolment code the committee gave you (20 letters and digits), or scan the"
        " QR code on the letter to fill it in."
    ),
    "enrol_key_note": (
        "Enrolling makes a key for you on this phone. It never leaves the phone: nobody can take"
        " it, not even us."
    ),
    "code_label": "Enrolment code",
    "code_placeholder": "e.g. ABCDE-12345-FGHJK-67890",
    "enrol_submit": "Enrol",
    "enrol_working": "Making your key and enrolling, please wait…",
    "enrol_done": "Enrolled! You can vote now.",
    "enrol_waiting": (
        "Enrolled: waiting for the committee to issue your credential. You can vote once it is."
    ),
    "enrol_again": "This phone is enrolled already. To add other units, enter a new code.",
    "signin_title": "Sign in",
    "signin_intro": "Tap the button below to sign in. No password needed.",
    "signin_submit": "Sign in with one tap",
    "signin_working": "Signing in…",
    "signin_done": "Signed in.",
    "signin_need_key": "This phone is not enrolled yet. Please enrol first.",
    "ballot_closes": "Voting closes: ",
    "ballot_details": "Matter and rule",
    "my_units": "Your units: {units}",
    "ballot_matter": "Matter",
    "ballot_rule": "Passes if",
    "rule_majority": "more than half of the voting owners agree, by area and by headcount",
    "rule_three_quarters": (
        "three quarters or more of the voting owners agree, by area and by headcount"
    ),
    "ballot_window": "Voting period",
    "beijing_time": "Beijing time",
    "ballot_closed": "This ballot is closed.",
    "choose": "Your choice:",
    "agree": "Agree",
    "oppose": "Oppose",
    "abstain": "Abstain",
    "confirm_question": "You chose: {choice}. Submit?",
    "confirm_note": "A vote cannot be changed once submitted.",
    "confirm_submit": "Submit",
    "confirm_back": "Go back",
    "sending": "Submitting, please wait…",
    "busy_retrying": "Many owners are voting; retrying for you, please stay on this page…",
    "voted_title": "Voted",
    "voted_choice": "Your choice: {choice}",
    "receipt_title": "Receipt",
    "receipt_index": "Vote number {index}",
    "receipt_hash": "Vote fingerprint",
    "receipt_kept": "The receipt is kept on this phone; you can check it any time.",
    "check_button": "Check my vote",
    "checking": "Checking…",
    "check_ok": (
        "Checked: your vote is in the ballot box (number {index}, the box now holds {size} records)"
        " and has not been changed."
    ),
    "check_failed": "The check failed. Take a screenshot and contact the committee:",
    "need_enrol": "This phone is not enrolled, so it cannot vote.",
    "turnout": "Turnout",
    "turnout_need": "Two thirds or more must take part, by area and by headcount",
    "turnout_area": "By area: {voted} / {total} m²",
    "turnout_heads": "By headcount: {voted} / {total}",
    "reached": "reached",
    "error": "Something went wrong: ",
    "no_crypto": (
        "This browser cannot make keys safely. Open the page in a newer phone browser, or contact"
        " the committee."
    ),
    "verify_link": "Download the ballot record to verify it yourself",
}


def text_for(lang: str) -> dict[str, str]:
    """The page words in `lang` ("en"; anything else is Chinese)."""
    return EN if lang == "en" else ZH
