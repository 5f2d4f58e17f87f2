"""The words of the public receipt verification page (``/verify``), Chinese and English.

Rendered into the page as JSON (`page.js` reads them) so that ``verify.js`` says every
result, success or failure, in the page's language.
"""

from __future__ import annotations

ZH: dict[str, str] = {
    "app": "共治 · 选票核验",
    "site_short": "共治",
    "other_lang": "English",
    "title": "核验一张选票",
    "intro": (
        "任何人都可以在这里核对一张选票回执：检查由您的浏览器自己完成，不依赖本网站的说法。"
        "请粘贴业主页面保存的回执（JSON），或扫描二维码。"
    ),
    "scan_intro": (
        "可扫描结果公告上的二维码（带来街道办事处的信任文件）和选票回执的二维码；"
        "摄像头用不了时，可以选一张拍下二维码的照片。"
    ),
    "scan": "扫码",
    "scan_stop": "停止扫码",
    "scan_photo": "选择二维码照片",
    "scanning": "请把二维码对准摄像头……",
    "scan_reading": "正在读取照片中的二维码……",
    "scan_no_camera": "无法打开摄像头（{reason}）。可以改为选择一张二维码的照片。",
    "scan_no_qr": "照片中没有找到二维码。请拍得近一些、清楚一些，再试一次。",
    "scan_not_ours": "这个二维码不是选票回执，也不是结果公告上的二维码。",
    "scanned_receipt": "已读到选票回执。",
    "scanned_notice": "已读到第 {ballot} 号表决结果公告上的二维码，核验将使用其中的信任文件。",
    "scanned_trust": "已读到街道办事处的信任文件，核验将使用它。",
    "scan_receipt_next": "现在请扫描或粘贴选票回执。",
    "receipt_label": "选票回执（JSON）",
    "check_button": "核验",
    "checking": "正在核验……",
    "trust_link": "所用的信任文件来自您扫描的二维码（街道办事处发放）。",
    "trust_server": (
        "注意：还没有扫描结果公告上的二维码（它带来街道办事处的信任文件），"
        "所以这次核验用的信任文件来自本网站自己（/.well-known/gongzhi-trust.json）。"
        "若本网站不可信，这项核验也不可信；请再扫描结果公告上的二维码核验一次。"
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
    "empty": "请先粘贴选票回执，或点“扫码”扫描回执二维码。",
    "bad_json": "这不是选票回执：请粘贴业主页面“复制选票回执”复制的全部文字。",
    "bad_shape": "这份回执不完整：缺少选票或它在投票箱中的位置。请重新复制整份回执再粘贴。",
    "bad_trust": "二维码中的信任文件无法读取",
    "agree": "同意",
    "oppose": "反对",
    "abstain": "弃权",
    "item": "第 {id} 项",
    "item_sep": "；",
    "back": "返回表决页面",
    "home": "返回首页",
    "no_crypto": "此浏览器不能进行安全核验，请换用较新的浏览器。",
    # the header's large-text switch (owner_base.html), the owner's pages' own words
    "large_text": "大字",
    "normal_text": "标准字",
}

EN: dict[str, str] = {
    "app": "Gongzhi · Verify a vote",
    "site_short": "Gongzhi",
    "other_lang": "中文",
    "title": "Verify a vote",
    "intro": (
        "Anyone can check a vote receipt here: your browser does the checking itself and"
        " does not take this website's word for it. Paste the receipt (JSON) the owner's"
        " page keeps, or scan a QR code."
    ),
    "scan_intro": (
        "You can scan the QR code on the result notice (it brings the street office's trust"
        " file) and a receipt's QR code; if the camera cannot be used, choose a photo of the"
        " QR code instead."
    ),
    "scan": "Scan",
    "scan_stop": "Stop scanning",
    "scan_photo": "Choose a photo of the QR code",
    "scanning": "Hold the QR code in front of the camera…",
    "scan_reading": "Reading the QR code in the photo…",
    "scan_no_camera": (
        "The camera cannot be opened ({reason}). Choose a photo of the QR code instead."
    ),
    "scan_no_qr": "No QR code was found in the photo. Take it closer and sharper, then try again.",
    "scan_not_ours": "This QR code is neither a vote receipt nor the one on a result notice.",
    "scanned_receipt": "The vote receipt was read.",
    "scanned_notice": (
        "The QR code of ballot {ballot}'s result notice was read; the check uses the trust"
        " file it carries."
    ),
    "scanned_trust": "The street office's trust file was read; the check uses it.",
    "scan_receipt_next": " Now scan or paste the vote receipt.",
    "receipt_label": "Vote receipt (JSON)",
    "check_button": "Verify",
    "checking": "Verifying…",
    "trust_link": "The trust file used comes from the QR code you scanned (the street office's).",
    "trust_server": (
        "Note: the result notice's QR code (which brings the street office's trust file)"
        " has not been scanned, so this check used the trust file of this website itself"
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
    "empty": "Paste a vote receipt first, or tap Scan to scan a receipt's QR code.",
    "bad_json": (
        "This is not a vote receipt: paste all the text the owner's page copied with"
        " Copy the vote receipt."
    ),
    "bad_shape": (
        "This receipt is not complete: the vote or its place in the ballot box is missing."
        " Copy the whole receipt again and paste it."
    ),
    "bad_trust": "the trust file in the QR code cannot be read",
    "agree": "agree",
    "oppose": "oppose",
    "abstain": "abstain",
    "item": "item {id}",
    "item_sep": "; ",
    "back": "Back to the ballot",
    "home": "Back to the home page",
    "no_crypto": "This browser cannot verify safely; use a newer browser.",
    "large_text": "Larger",
    "normal_text": "Normal",
}


def text_for(lang: str) -> dict[str, str]:
    """The page words in `lang` ("en"; anything else is Chinese)."""
    return EN if lang == "en" else ZH
