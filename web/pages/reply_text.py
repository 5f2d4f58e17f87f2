"""The words of the answer form (`static/reply_form.js`) the questioned entry's publisher
answers an objection with: on the property manager's desk and in the committee console,
whose word lists take these in."""

from __future__ import annotations

ZH: dict[str, str] = {
    "obj_on": "针对第 {index} 条（{kind}）",
    "obj_action": "处理方式",
    "action_explained": "已说明",
    "action_corrected": "已更正",
    "action_rejected": "不予采纳",
    "obj_text": "答复内容",
    "obj_reply": "签名并答复",
    "obj_required": "请填写答复内容。",
    "obj_too_long": "答复内容最多 {max} 个字。",
    "kind_IncomeExpense": "月度收支",
    "kind_MaintenanceFund": "维修资金",
    "kind_CommonAreaIncome": "共有部分经营收益",
    "kind_FeeStandard": "收费标准",
    "kind_Attachment": "合同与会议纪要",
    "kind_AccountOpened": "新开账户",
}

EN: dict[str, str] = {
    "obj_on": "On entry {index} ({kind})",
    "obj_action": "Action",
    "action_explained": "Explained",
    "action_corrected": "Corrected",
    "action_rejected": "Not accepted",
    "obj_text": "Answer",
    "obj_reply": "Sign and answer",
    "obj_required": "Please write the answer.",
    "obj_too_long": "The answer may have at most {max} characters.",
    "kind_IncomeExpense": "monthly income and expense",
    "kind_MaintenanceFund": "maintenance fund",
    "kind_CommonAreaIncome": "common-area income",
    "kind_FeeStandard": "fee standard",
    "kind_Attachment": "contracts and minutes",
    "kind_AccountOpened": "new account",
}
