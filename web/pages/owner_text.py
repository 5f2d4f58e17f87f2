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
    "accounts_title": "小区账目",
    "accounts_link": "{name}：收费标准和每月收支",
    "voted_already": "已投票",
    "enrol_title": "登记本机",
    "enrol_intro": (
        "请输入业委会发给您的登记码（20位字母和数字）。也可以用手机扫登记单上的二维码，会自动填好。"
    ),
    "enrol_key_note": (
        "登记时，本机会生成您专用的密钥。密钥只存在这台手机里，谁也拿不走，包括我们。"
    ),
    "code_label": "登记码",
    "code_missing": "请填写业委会交给您的登记码（20 位字母和数字）。",
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
    "confirm_items": "请核对您的选择，确认后提交：",
    "review": "核对并提交",
    "blank_note": "某一事项不选，即表示您不参与该事项的表决（不计入该项的参与人数）。",
    "not_chosen": "未选（不参与）",
    "nothing_chosen": "请至少对一个事项作出选择",
    "rule_election": "得票的专有面积和人数都须超过参与表决者的一半，按得票面积从多到少当选",
    "seats_note": "最多可选 {seats} 人",
    "quorum_rule": "需参与表决的业主专有面积和人数均达到三分之二以上，"
    "且参与表决者中面积和人数均过半数同意（第六至八项为四分之三以上）",
    "confirm_note": "提交后不能更改。",
    "confirm_submit": "确认提交",
    "confirm_back": "返回修改",
    "sending": "正在提交，请稍候……",
    "busy_retrying": "投票的人很多，正在自动重试，请不要离开本页……",
    "voted_title": "已投票",
    "voted_choice": "您的选择：{choice}",
    "receipt_title": "回执",
    # The index is the entry's place in the box's log, which also holds the announcement, the
    # opening and key changes: said as such, lest the only voter think others voted before.
    "receipt_index": "投票箱记录：第 {index} 条（投票箱也记有公告、开启等记录）",
    "receipt_hash": "选票凭证",
    "receipt_kept": "回执已保存在本机，以后可以随时核对。",
    "check_button": "核对我的选票",
    "checking": "正在核对……",
    "check_ok": (
        "核对成功：您的选票在投票箱里（第 {index} 条记录；投票箱共 {size} 条记录，"
        "其中也有公告、开启等记录，不都是选票），提交后没有被改动。"
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
    "verify_receipt": "核验一张选票回执（在您自己的浏览器中核对）",
    "copy_receipt": "复制选票回执",
    "copy_receipt_note": "回执可交给家人或任何人，在核验页面独立核对：",
    "copied_receipt": "回执已复制，可粘贴到核验页面。",
    "receipt_qr_title": "回执二维码",
    "receipt_qr_note": (
        "这个二维码就是您的选票回执。在另一部手机上打开核验页面，点“扫码”对准它；或者把它截图"
        "保存，以后在核验页面点“选择二维码照片”选这张截图，就能核对您的选票已经放进投票箱。"
    ),
    "receipt_qr_private": "二维码里有您投的选择，请只给您愿意告诉的人看。",
    "receipt_qr_label": "选票回执二维码",
    # the printed voting card (投票卡), for owners without a smartphone
    "enrol_kind": "用什么投票？",
    "enrol_kind_phone": "用这台手机投票（推荐）",
    "enrol_kind_card": "领取纸质投票卡（没有智能手机的业主）",
    "card_pin_intro": (
        "请设一个 6 到 12 位数字的 PIN，投票时要输入。不要用生日、门牌号或 123456 这样好猜的数字，"
        "也不要把 PIN 写在卡上。"
    ),
    "card_pin_label": "设置 PIN（6 到 12 位数字）",
    "card_pin_again_label": "再输入一次 PIN",
    "card_pin_mismatch": "两次输入的 PIN 不一样，请重新输入。",
    "card_making": "正在生成投票卡的密钥并登记，请稍候（约需几秒钟）……",
    "card_sealing": "正在用 PIN 加密投票卡，请稍候……",
    "card_no_community": "登记成功，但服务器没有说明您的小区，无法生成投票卡。请联系业委会。",
    "card_seal_failed": (
        "登记已完成，但投票卡没能生成（{reason}）。这台设备上什么也没有保存：请联系业委会挂失，"
        "再领取新的登记码。"
    ),
    "card_title": "共治投票卡",
    "card_subtitle": "业主投票卡 · Owner's voting card",
    "card_community": "小区：{community}",
    "card_did": "身份编号：{did}",
    "card_how": "投票时：在任何手机或电脑上打开 {url}，扫描本卡，输入您的 PIN。",
    "card_keep": (
        "请妥善保管本卡，不要和 PIN 放在一起。本卡遗失或被盗，请立即告知业委会挂失，"
        "挂失后本卡作废。"
    ),
    "card_text_label": "扫不出二维码时，可以输入下面的文字：",
    "card_print": "打印投票卡",
    "card_printed": "已打印好，完成",
    "card_print_note": "请现在打印。离开本页后，投票卡无法再打印，密钥也已从这台设备清除。",
    "card_vote_title": "用投票卡投票",
    "card_vote_intro": "请扫描投票卡上的二维码（或输入卡上的文字），再输入您的 PIN。",
    "card_scan": "用摄像头扫描投票卡",
    "card_scan_stop": "停止扫描",
    "card_scanning": "请把投票卡的二维码对准摄像头……",
    "card_scanned": "已读到投票卡。请输入 PIN。",
    "card_photo": "拍照或选择投票卡的照片",
    "card_no_camera": "无法使用摄像头（{reason}）。请改用拍照，或输入卡上的文字。",
    "card_no_qr": "照片中没有找到投票卡的二维码。请拍得近一些、清楚一些，或输入卡上的文字。",
    "card_not_card": "扫到的二维码不是投票卡。",
    "card_text": "或输入卡上的文字",
    "card_pin": "PIN",
    "card_open": "打开投票卡",
    "card_pin_needed": "请输入投票卡的 PIN（只有数字）。",
    "card_opening": "正在打开投票卡，请稍候（约需几秒钟）……",
    "card_wrong_pin": "PIN 不对。这张投票卡在本浏览器还可以再试 {left} 次。",
    "card_locked": (
        "这张投票卡在本浏览器已连续输错 {max} 次 PIN，已停止尝试。如果忘记了 PIN，"
        "请带上投票卡和身份证件到业委会挂失，领取新卡。"
    ),
    "card_signing_in": "已打开投票卡，正在登录……",
    "card_in_use": "正在使用投票卡",
    "card_done": "完成",
    "card_done_note": "投完票请点“完成”：投票卡的密钥会从本浏览器清除。",
    "card_finished": "已退出投票卡。密钥已从本浏览器清除，这台设备上没有保存任何内容。",
    "card_again": "再用一张投票卡",
    "card_back": "返回表决列表",
    "card_receipt_note": (
        "用投票卡投票，回执不保存在这台设备上。需要时请记下投票箱记录号，或用自己的手机拍下回执二维码。"
    ),
    "card_link": "没有智能手机？用投票卡投票",
    # results of a closed ballot, proxies (委托), large text (shared with the public page)
    "ballots_title": "表决",
    "view_ballot": "查看表决内容",
    "view_result": "查看表决结果",
    "status_open": "正在投票",
    "status_announced": "已公告，尚未开始投票",
    "status_closing": "投票已结束，正在计票",
    "status_closed": "已出初步结果",
    "status_final": "结果已最终确定",
    "status_cancelled": "已取消",
    "ballot_ended": "投票已于 {when} 结束",
    "result_title": "表决结果",
    "passed": "通过",
    "not_passed": "未通过",
    "result_preliminary": "这是初步结果。对结果有异议，可在 {until}（北京时间）前提出。",
    "result_final": "这是最终结果：异议期已过，所有异议均已答复。",
    "notice_link": "查看表决结果公告",
    "quorum_bars": "参与表决（需三分之二以上）",
    "approval_bars": "同意（需{rule}）",
    "candidate_bars": "{label}：同意（需过半数）",
    "elected": "当选",
    "not_elected": "未当选",
    "by_area": "按面积",
    "by_heads": "按人数",
    "met": "已达到",
    "not_met": "未达到",
    "totals": "同意 {agree_area} 平方米 / {agree_heads} 人；反对 {oppose_area} 平方米 / "
    "{oppose_heads} 人；弃权 {abstain_area} 平方米 / {abstain_heads} 人",
    "participating": "参与 {area} 平方米 / {heads} 人（共 {total_area} 平方米 / {total_heads} 人）",
    "item_turnout": "各事项参与情况",
    "read_only": "登记后才能投票。您可以先看看表决内容。",
    "proxy_title": "委托他人投票",
    "proxy_intro": "不方便自己投票时，可以委托一位亲友代您投票。"
    "请对方在他的手机上打开“我的身份编号”，把编号发给您或让您扫码。",
    "proxy_did": "受托人的身份编号",
    "proxy_scan": "拍照或选择对方身份编号二维码的照片",
    "proxy_instruct": "您可以指定每一项的意见（受托人只能照此投票）；都不指定，由受托人决定。",
    "proxy_free": "不指定，由受托人决定",
    "proxy_grant": "签名并委托",
    "proxy_granting": "正在签名并提交委托……",
    "proxy_bad_did": "身份编号不对：应以 did:key: 开头。",
    "proxy_in_force": "您已委托 {proxy} 代您投票。",
    "proxy_used": "受托人已代您投票，委托已使用，不能再撤回。",
    "proxy_withdraw": "撤回委托",
    "proxy_withdrawn": "委托已撤回，您可以自己投票或重新委托。",
    "proxy_for": "您受业主（{units}）委托代其投票",
    "proxy_vote_for": "为业主（{units}）投票",
    "proxy_voted_for": "已为业主（{units}）投票",
    "entries_title": "您为以下各户分别投票",
    "entries_intro": "您在本次表决中代表不止一户（例如作为监护人）：请为每一户分别投票。",
    "entry_for": "房屋 {units}",
    "entry_guardian": "（您是业主的监护人）",
    "entry_vote_for": "为房屋 {units} 投票",
    "entry_voted_for": "已为房屋 {units} 投票",
    "proxy_instructed": "业主在委托书中指定了各项意见：请按业主告诉您的意见投票，"
    "不一致的选票会被拒绝。",
    "my_id_title": "我的身份编号（给委托人）",
    "my_id_intro": "有人要委托您代为投票时，请他扫描下面的二维码，或把这串编号发给他。",
    "my_id_show": "显示我的身份编号",
    "large_text": "大字",
    "normal_text": "标准字",
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
    "code_missing": (
        "Please type the enrolment code the committee gave you (20 letters and digits)."
    ),
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
    "confirm_items": "Check your choices, then submit:",
    "review": "Review and submit",
    "blank_note": "Leave an item unchosen to not take part in it (you are not counted for it).",
    "not_chosen": "not chosen (not taking part)",
    "nothing_chosen": "Choose on at least one item",
    "rule_election": "a candidate needs more than half of the voting area and headcount; "
    "seats go by approving area",
    "seats_note": "choose at most {seats}",
    "quorum_rule": "owners with two thirds of the area and of the headcount must vote, and more "
    "than half of them (three quarters for items 6–8) agree, by area and by headcount",
    "confirm_note": "A vote cannot be changed once submitted.",
    "confirm_submit": "Submit",
    "confirm_back": "Go back",
    "sending": "Submitting, please wait…",
    "busy_retrying": "Many owners are voting; retrying for you, please stay on this page…",
    "voted_title": "Voted",
    "voted_choice": "Your choice: {choice}",
    "receipt_title": "Receipt",
    "receipt_index": (
        "Ballot box entry {index} (the box also records the announcement, the opening and more)"
    ),
    "receipt_hash": "Vote fingerprint",
    "receipt_kept": "The receipt is kept on this phone; you can check it any time.",
    "check_button": "Check my vote",
    "checking": "Checking…",
    "check_ok": (
        "Checked: your vote is in the ballot box (entry {index}; the box holds {size} entries,"
        " the announcement, the opening and others among them, not only votes) and has not"
        " been changed."
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
    "verify_receipt": "Verify a vote receipt in your own browser",
    "copy_receipt": "Copy the vote receipt",
    "copy_receipt_note": "Anyone you give the receipt to can check it on the verification page:",
    "copied_receipt": "Receipt copied: paste it on the verification page.",
    "receipt_qr_title": "Receipt QR code",
    "receipt_qr_note": (
        "This QR code is your vote receipt. Open the verification page on another phone and tap"
        " “Scan” to point it here; or take a screenshot and later choose it with “Choose a photo"
        " of the QR code” on the verification page, to check that your vote is in the ballot box."
    ),
    "receipt_qr_private": "The code holds how you voted: show it only to people you want to tell.",
    "receipt_qr_label": "Vote receipt QR code",
    "enrol_kind": "How will you vote?",
    "enrol_kind_phone": "With this phone (recommended)",
    "enrol_kind_card": "With a printed voting card (owners without a smartphone)",
    "card_pin_intro": (
        "Choose a PIN of 6 to 12 digits; you type it when you vote. Do not use a birthday, a"
        " door number or an easy one like 123456, and never write the PIN on the card."
    ),
    "card_pin_label": "Choose a PIN (6 to 12 digits)",
    "card_pin_again_label": "Type the PIN again",
    "card_pin_mismatch": "The two PINs differ. Please type them again.",
    "card_making": "Making the card's key and enrolling, please wait (a few seconds)…",
    "card_sealing": "Sealing the card under your PIN, please wait…",
    "card_no_community": (
        "Enrolled, but the server did not name your community, so no card can be made. Please"
        " contact the committee."
    ),
    "card_seal_failed": (
        "Enrolled, but the card could not be made ({reason}). Nothing was kept on this device:"
        " ask the committee to revoke it and give you a new enrolment code."
    ),
    "card_title": "Gongzhi voting card",
    "card_subtitle": "业主投票卡 · Owner's voting card",
    "card_community": "Community: {community}",
    "card_did": "Identity number: {did}",
    "card_how": "To vote: open {url} on any phone or computer, scan this card, type your PIN.",
    "card_keep": (
        "Keep this card safe and never with the PIN. If it is lost or stolen, tell the committee"
        " at once: it is revoked and can no longer vote."
    ),
    "card_text_label": "If the QR code cannot be scanned, type this text:",
    "card_print": "Print the card",
    "card_printed": "Printed: finish",
    "card_print_note": (
        "Print it now. Once you leave this page the card cannot be printed again; its key has"
        " already been wiped from this device."
    ),
    "card_vote_title": "Vote with a voting card",
    "card_vote_intro": "Scan the QR code on your voting card (or type its text), then your PIN.",
    "card_scan": "Scan the card with the camera",
    "card_scan_stop": "Stop scanning",
    "card_scanning": "Hold the card's QR code in front of the camera…",
    "card_scanned": "Card read. Please type your PIN.",
    "card_photo": "Take or choose a photo of the card",
    "card_no_camera": "The camera cannot be used ({reason}). Take a photo or type the card's text.",
    "card_no_qr": (
        "No voting card QR code was found in the photo. Take it closer and sharper, or type the"
        " card's text."
    ),
    "card_not_card": "The QR code scanned is not a voting card.",
    "card_text": "Or type the text printed on the card",
    "card_pin": "PIN",
    "card_open": "Open the card",
    "card_pin_needed": "Type the card's PIN (digits only).",
    "card_opening": "Opening the card, please wait (a few seconds)…",
    "card_wrong_pin": "Wrong PIN. This card may be tried {left} more times in this browser.",
    "card_locked": (
        "The PIN of this card was wrong {max} times in this browser: no more tries. If the PIN"
        " is forgotten, bring the card and your ID to the committee to revoke it and get a new"
        " one."
    ),
    "card_signing_in": "Card opened, signing in…",
    "card_in_use": "Using a voting card",
    "card_done": "Finish",
    "card_done_note": "Tap Finish when you have voted: the card's key is wiped from this browser.",
    "card_finished": (
        "The voting card is closed. Its key was wiped from this browser; nothing is kept on this"
        " device."
    ),
    "card_again": "Use another voting card",
    "card_back": "Back to the ballots",
    "card_receipt_note": (
        "With a card the receipt is not kept on this device. Note the ballot box entry number"
        " if you need it, or photograph the receipt QR code with your own phone."
    ),
    "card_link": "No smartphone? Vote with a voting card",
    "accounts_title": "Community accounts",
    "accounts_link": "{name}: fees and monthly accounts",
    "ballots_title": "Ballots",
    "view_ballot": "Read the ballot",
    "view_result": "See the result",
    "status_open": "Voting now",
    "status_announced": "Announced, voting not started",
    "status_closing": "Voting ended, counting",
    "status_closed": "Preliminary result",
    "status_final": "Final result",
    "status_cancelled": "Cancelled",
    "ballot_ended": "Voting ended on {when}",
    "result_title": "Result",
    "passed": "Passed",
    "not_passed": "Not passed",
    "result_preliminary": "This is the preliminary result. Objections may be raised until {until}"
    " (Beijing time).",
    "result_final": "This is the final result: the objection period is over and every objection"
    " was answered.",
    "notice_link": "Read the result notice",
    "quorum_bars": "Took part (two thirds needed)",
    "approval_bars": "Agreed ({rule} needed)",
    "candidate_bars": "{label}: approved (more than half needed)",
    "elected": "elected",
    "not_elected": "not elected",
    "by_area": "By area",
    "by_heads": "By headcount",
    "met": "reached",
    "not_met": "not reached",
    "totals": "Agree {agree_area} m² / {agree_heads}; oppose {oppose_area} m² / {oppose_heads};"
    " abstain {abstain_area} m² / {abstain_heads}",
    "participating": "Took part: {area} m² / {heads} (of {total_area} m² / {total_heads})",
    "item_turnout": "Turnout per item",
    "read_only": "Enrol to vote. You can read the ballot first.",
    "proxy_title": "Let someone vote for you",
    "proxy_intro": "If you cannot vote yourself, a relative or friend can vote for you. Ask them"
    " to open “My identity number” on their phone and send it to you or let you scan it.",
    "proxy_did": "Their identity number",
    "proxy_scan": "Take or choose a photo of their identity QR code",
    "proxy_instruct": "You may set the choice on each item (they must vote exactly so); set"
    " none and they decide.",
    "proxy_free": "Not set: they decide",
    "proxy_grant": "Sign and appoint",
    "proxy_granting": "Signing and sending the mandate…",
    "proxy_bad_did": "That identity number is wrong: it starts with did:key:.",
    "proxy_in_force": "You appointed {proxy} to vote for you.",
    "proxy_used": "Your proxy has voted for you: the mandate is used and cannot be withdrawn.",
    "proxy_withdraw": "Withdraw the mandate",
    "proxy_withdrawn": "Mandate withdrawn: you can vote yourself or appoint someone again.",
    "proxy_for": "You vote for the owner of {units} as their proxy",
    "proxy_vote_for": "Vote for the owner of {units}",
    "proxy_voted_for": "Voted for the owner of {units}",
    "entries_title": "You vote for each of these separately",
    "entries_intro": "You vote for more than one household in this ballot (as a guardian, "
    "for instance): cast one vote for each.",
    "entry_for": "Unit {units}",
    "entry_guardian": " (you are the owner's guardian)",
    "entry_vote_for": "Vote for unit {units}",
    "entry_voted_for": "Voted for unit {units}",
    "proxy_instructed": "The owner set each choice in the mandate: vote as they told you;"
    " any other vote is refused.",
    "my_id_title": "My identity number (for a proxy)",
    "my_id_intro": "When someone wants you to vote for them, let them scan this QR code or send"
    " them this number.",
    "my_id_show": "Show my identity number",
    "large_text": "Larger",
    "normal_text": "Normal",
}


def text_for(lang: str) -> dict[str, str]:
    """The page words in `lang` ("en"; anything else is Chinese)."""
    return EN if lang == "en" else ZH
