"""The words of the committee member's signing page, Simplified Chinese first, English on
request. `{name}` marks a value the page's script fills in. Both languages have exactly the
same keys (a test checks)."""

from __future__ import annotations

ZH: dict[str, str] = {
    "app": "共治 · 业委会",
    "other_lang": "English",
    "home": "首页",
    "title": "业委会决定签署",
    "intro": (
        "业委会的决定（开启、结束表决，更换投票人密钥）须由过半数委员在各自的设备上签署才生效。"
    ),
    "to_console": "表决管理（发起表决、投票进度）",
    "key_title": "本设备密钥",
    "key_none": "本设备还没有委员密钥。生成后，请把下面的编号或二维码交给街道办事处，登记为委员。",
    "key_make": "生成本设备密钥",
    "key_making": "正在生成密钥……",
    "key_note": "密钥只存在这台设备里，谁也拿不走，包括服务器。",
    "key_did": "本设备编号（DID）",
    "key_qr": "本设备编号的二维码",
    "member_yes": "本设备已登记为现任委员（{role}）。",
    "member_no": "本设备尚未登记为现任委员：请把上面的编号交给街道办事处备案。登记之前不能签署。",
    "role_chair": "主任",
    "role_viceChair": "副主任",
    "role_member": "委员",
    "pending_title": "待签署的决定",
    "pending_none": "现在没有待签署的决定。",
    "loading": "正在读取……",
    "refresh": "刷新",
    "signed_count": (
        "已签 {signed} 人，需 {needed} 人（全体 {members} 名委员），还差 {missing} 人。"
    ),
    "signed_by": "已签署：",
    "this_device": "本设备",
    "sign": "签署",
    "signed_here": "✓ 本设备已签署",
    "confirm_title": "请核对后签署",
    "confirm_note": "签署即表示您以委员身份同意这项决定。签署后不能撤回。",
    "confirm_sign": "确认签署",
    "confirm_back": "返回",
    "full_text": "决定全文（签署的就是这份文件）",
    "signing": "正在签署……",
    "signed_ok": "已签署。还差 {missing} 人。",
    "applied_ok": "已签署，签名人数已够，决定已生效。",
    "error": "出错了：",
    "no_crypto": "此浏览器无法安全地保存密钥。请用手机自带的浏览器或较新的 Chrome 打开本页。",
    "open_ballot": "开启表决「{title}」",
    "announce_ballot": "公告表决「{title}」",
    "item": "事项 {n}：{title}（{matter}）",
    "open_voting": "开始投票并冻结名册",
    "item_result": "事项 {n}：{verdict}",
    # The server's titles beside the signed document's origin: which ballot, which item.
    "item_result_titled": "事项 {n}「{title}」：{verdict}",
    "elected": "当选：{ids}",
    "answer": "答复第 {index} 条异议：{answer}",
    "final": "最终确认表决结果（保存至 {until}）",
    "matter": "事项：{matter}",
    "window": "投票时间：{opens} 至 {closes}（北京时间）",
    "census": "名册：{voters} 名投票人",
    "amount": "金额：¥{amount}",
    "close_ballot": "结束表决并公布结果",
    "closed_at": "截止时间：{at}（北京时间）",
    "votes": "收到选票：{votes} 张",
    "outcome_passed": "结果：通过",
    "outcome_failed": "结果：未通过",
    "cancel_ballot": "取消表决",
    "reason": "理由：{reason}",
    "rekey": "更换投票人 {voter} 的密钥",
    "rekey_old": "旧编号：{did}",
    "rekey_new": "新编号：{did}",
    "ballot": "表决：{ballot}",
    "ballot_titled": "表决：「{title}」（{ballot}）",
    "other_kind": "{kind}：请阅读下方全文",
    "refused_community": "服务器给出的决定不属于本小区，本设备不签署。",
    "refused_proof": "服务器给出的决定已带签名，本设备不签署。",
    "refused_hash": "服务器给出的决定与其哈希不符，本设备不签署。",
    "refused_registration": "这项决定所依据的不是现行业委会备案，本设备不签署。",
    "trust_title": "核对信任凭据",
    "trust_note": (
        "街道办事处印发的信任凭据（二维码与指纹）说明了哪条链、哪个合约、哪些街道办根密钥可信。"
        "请把下面本服务器公布的与之对照：二维码与指纹都应相同，否则不要在此登记本设备。"
    ),
    "trust_show": "显示本服务器的信任凭据",
    "trust_qr": "本服务器信任文件的二维码",
    "trust_fingerprint": "指纹（SHA-256 前 32 位）",
    "trust_roots": "受信任的街道办事处根 DID：",
    "trust_chain": "链 ID {chain}，锚定合约 {contract}",
    "trust_print": "打印信任凭据",
    "trust_unavailable": "暂时取不到本服务器的信任文件，请稍后再试。",
}

EN: dict[str, str] = {
    "app": "Gongzhi · Committee",
    "other_lang": "中文",
    "home": "Home",
    "title": "Committee decisions to sign",
    "intro": (
        "A committee decision (opening or closing a ballot, changing a voter's key) takes effect "
        "only once more than half of the members have signed it on their own devices."
    ),
    "to_console": "Ballots (start one, follow the turnout)",
    "key_title": "This device's key",
    "key_none": (
        "This device has no member key yet. Make one, then give the street office the ID or "
        "QR code below to register you as a member."
    ),
    "key_make": "Make this device's key",
    "key_making": "Making the key…",
    "key_note": "The key stays on this device; nobody can take it, not even the server.",
    "key_did": "This device's ID (DID)",
    "key_qr": "QR code of this device's ID",
    "member_yes": "This device is registered as a current member ({role}).",
    "member_no": (
        "This device is not registered as a current member: give the ID above to the street "
        "office. It cannot sign until then."
    ),
    "role_chair": "chair",
    "role_viceChair": "vice chair",
    "role_member": "member",
    "pending_title": "Decisions waiting for signatures",
    "pending_none": "No decision is waiting for signatures.",
    "loading": "Loading…",
    "refresh": "Refresh",
    "signed_count": (
        "Signed by {signed}; {needed} needed (of all {members} members); {missing} more to go."
    ),
    "signed_by": "Signed by:",
    "this_device": "this device",
    "sign": "Sign",
    "signed_here": "✓ Signed on this device",
    "confirm_title": "Check, then sign",
    "confirm_note": "Signing means you agree to this decision as a member. It cannot be undone.",
    "confirm_sign": "Confirm and sign",
    "confirm_back": "Back",
    "full_text": "The full decision (exactly what is signed)",
    "signing": "Signing…",
    "signed_ok": "Signed. {missing} more to go.",
    "applied_ok": "Signed. Enough members have signed: the decision is in effect.",
    "error": "Something went wrong: ",
    "no_crypto": (
        "This browser cannot keep keys safely. Open this page in the phone's own browser or a "
        "recent Chrome."
    ),
    "open_ballot": "Open the ballot “{title}”",
    "announce_ballot": "Announce the ballot “{title}”",
    "item": "Item {n}: {title} ({matter})",
    "open_voting": "Open voting and freeze the census",
    "item_result": "Item {n}: {verdict}",
    "item_result_titled": "Item {n} “{title}”: {verdict}",
    "elected": "elected: {ids}",
    "answer": "Answer objection {index}: {answer}",
    "final": "Confirm the final result (kept until {until})",
    "matter": "Matter: {matter}",
    "window": "Voting: {opens} to {closes} (Beijing time)",
    "census": "Census: {voters} voters",
    "amount": "Amount: ¥{amount}",
    "close_ballot": "Close the ballot and publish its result",
    "closed_at": "Closed at: {at} (Beijing time)",
    "votes": "Votes received: {votes}",
    "outcome_passed": "Outcome: passed",
    "outcome_failed": "Outcome: not passed",
    "cancel_ballot": "Cancel the ballot",
    "reason": "Reason: {reason}",
    "rekey": "Change the key of voter {voter}",
    "rekey_old": "Old ID: {did}",
    "rekey_new": "New ID: {did}",
    "ballot": "Ballot: {ballot}",
    "ballot_titled": "Ballot: “{title}” ({ballot})",
    "other_kind": "{kind}: read the full text below",
    "refused_community": (
        "The server's decision is not this community's; this device will not sign it."
    ),
    "refused_proof": "The server's decision already carries a proof; this device will not sign it.",
    "refused_hash": "The server's decision does not match its hash; this device will not sign it.",
    "refused_registration": (
        "This decision is not made under the registration in force; this device will not sign it."
    ),
    "trust_title": "Check the trust pin",
    "trust_note": (
        "The street office's printed trust pin (QR code and fingerprint) says which chain, "
        "contract and street-office root keys to trust. Compare this server's below with it: "
        "both the code and the fingerprint must match, or do not register this device here."
    ),
    "trust_show": "Show this server's trust pin",
    "trust_qr": "QR code of this server's trust file",
    "trust_fingerprint": "Fingerprint (first 32 hex digits of SHA-256)",
    "trust_roots": "Trusted street-office root DIDs:",
    "trust_chain": "Chain id {chain}, anchor contract {contract}",
    "trust_print": "Print the trust pin",
    "trust_unavailable": "This server's trust file cannot be fetched now; try again later.",
}


def text_for(lang: str) -> dict[str, str]:
    """The page words in `lang` ("en"; anything else is Chinese)."""
    return EN if lang == "en" else ZH
