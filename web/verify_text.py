"""The words of the public receipt verification page (``/verify``), Chinese and English.

Rendered into the page as JSON (`page.js` reads them) so that ``verify.js`` says every
result, success or failure, in the page's language.
"""

from __future__ import annotations

ZH: dict[str, str] = {
    "app": "共治 · 选票核验",
    "other_lang": "English",
    "title": "核验一张选票",
    "intro": (
        "任何人都可以在这里核对一张选票回执：检查由您的浏览器自己完成，不依赖本网站的说法。"
        "请粘贴业主页面保存的回执（JSON）。"
    ),
    "receipt_label": "选票回执（JSON）",
    "check_button": "核验",
    "checking": "正在核验……",
    "trust_link": "所用的信任文件来自您扫描的二维码（街道办事处发放）。",
    "trust_server": (
        "注意：没有扫描二维码，所用的信任文件来自本网站自己（/.well-known/gongzhi-trust.json）。"
        "若本网站不可信，这项核验也不可信；请扫描结果公告上的二维码再核验一次。"
    ),
    "trust_differs": "警告：二维码中的信任文件与本网站公布的不同（{what}）。以二维码为准。",
    "ok_included": (
        "这张选票在第 {index} 号记录，已包含在业委会认可的密钥签名的投票箱记录中（共 {size} 条）。"
    ),
    "ok_consistent": "自回执签发时（当时共 {then} 条）以来，投票箱只增加了记录，没有改动已有记录。",
    "ok_committee": (
        "投票箱的密钥由 {signers} 名业委会委员签署的公告认可，该业委会由街道办事处备案。"
    ),
    "ok_choices": "选票内容：{choices}",
    "failed": "核验没有通过：",
    "bad_json": "回执不是有效的 JSON",
    "bad_shape": "回执须含 vote 与 receipt（ballot_id、index、leaf_hash、checkpoint）",
    "bad_trust": "二维码中的信任文件无法读取",
    "agree": "同意",
    "oppose": "反对",
    "abstain": "弃权",
    "item": "第 {id} 项",
    "back": "返回表决页面",
    "no_crypto": "此浏览器不能进行安全核验，请换用较新的浏览器。",
}

EN: dict[str, str] = {
    "app": "Gongzhi · Verify a vote",
    "other_lang": "中文",
    "title": "Verify a vote",
    "intro": (
        "Anyone can check a vote receipt here: your browser does the checking itself and"
        " does not take this website's word for it. Paste the receipt (JSON) the owner's"
        " page keeps."
    ),
    "receipt_label": "Vote receipt (JSON)",
    "check_button": "Verify",
    "checking": "Verifying…",
    "trust_link": "The trust file used comes from the QR code you scanned (the street office's).",
    "trust_server": (
        "Note: no QR code was scanned, so the trust file comes from this website itself"
        " (/.well-known/gongzhi-trust.json). If this website cannot be trusted, neither can"
        " this check: scan the QR code on the result notice and verify again."
    ),
    "trust_differs": (
        "Warning: the trust file in the QR code differs from the one this website"
        " publishes ({what}). The QR code's is used."
    ),
    "ok_included": (
        "This vote is record number {index}, included in the ballot box's record signed by"
        " the key the committee approved ({size} records in all)."
    ),
    "ok_consistent": (
        "Since the receipt was issued ({then} records then), the box has only grown: no"
        " record was changed."
    ),
    "ok_committee": (
        "The box's key was approved in an announcement signed by {signers} committee"
        " member(s) of the committee the street office registered."
    ),
    "ok_choices": "The vote: {choices}",
    "failed": "The verification failed: ",
    "bad_json": "the receipt is not valid JSON",
    "bad_shape": "the receipt must hold vote and receipt (ballot_id, index, leaf_hash, checkpoint)",
    "bad_trust": "the trust file in the QR code cannot be read",
    "agree": "agree",
    "oppose": "oppose",
    "abstain": "abstain",
    "item": "item {id}",
    "back": "Back to the ballot",
    "no_crypto": "This browser cannot verify safely; use a newer browser.",
}


def text_for(lang: str) -> dict[str, str]:
    """The page words in `lang` ("en"; anything else is Chinese)."""
    return EN if lang == "en" else ZH
