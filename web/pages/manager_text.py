"""The words of the property manager's desk (物业工作台). Simplified Chinese first, English
with ``?lang=en``; `{name}` marks a value the page's script fills in. Both languages have
exactly the same keys (a test checks)."""

from __future__ import annotations

from web.pages import reply_text

ZH: dict[str, str] = {
    **reply_text.ZH,
    "app": "共治 · 物业",
    "other_lang": "English",
    "title": "物业工作台",
    "intro": (
        "在这里公示收费标准、月度收支、维修资金和共有部分经营收益，并答复业主的质疑。"
        "发布前系统会先核对账目，有错会写在对应的格子旁。"
    ),
    "to_accounts": "查看公开账目",
    "key_title": "本设备的物业密钥",
    "key_none": "本设备还没有物业密钥。生成后把下面的 DID 交给街道办，由街道办签发物业服务人身份。",
    "key_make": "生成本设备密钥",
    "key_did": "本设备 DID：{did}",
    "signin": "用本设备密钥登录",
    "signin_busy": "正在登录……",
    "signed_in": "已登录",
    "signin_refused": "登录未成功：本设备的 DID 还不是本小区的物业服务人。"
    "请把上面的 DID 交给街道办事处，由街道办签发物业服务人身份后再登录。",
    "signin_demo": "演示服务器上：回到演示页，点「在本设备扮演物业」。",
    "signin_first": "请先用本设备密钥登录，才能发布。",
    "fee_title": "公示收费标准",
    "fee_provider": "物业服务企业名称",
    "fee_effective": "执行日期",
    "fee_hotline": "价格举报电话",
    "fee_item": "收费项目",
    "fee_target": "收费对象",
    "fee_standard": "收费标准（元）",
    "fee_per": "计费单位",
    "fee_method": "计费方式",
    "fee_basis": "收费依据",
    "fee_pricing": "价格形式",
    "per_m2_month": "每平方米建筑面积每月",
    "per_household_month": "每户每月",
    "per_space_month": "每车位每月",
    "per_time": "每次",
    "pricing_government_guided": "政府指导价",
    "pricing_market": "市场调节价",
    "publish_fee": "核对并发布收费标准",
    "st_title": "公示账户报表",
    "st_intro": (
        "选择账户后，表格按账户类型显示：月度收支、维修资金或共有部分经营收益；"
        "月份和期初余额按该账户上一期自动填好。"
    ),
    "st_account": "账户",
    "st_kind": "账户类型：{kind}",
    "st_no_account": "尚无账户：请先在下面“新开账户”里开立一个账户。",
    "st_deposits": "本月交存（元）",
    "st_interest": "增值收益（利息等，元）",
    "st_costs": "成本明细",
    "st_add_costs": "添加一行成本",
    "st_total_costs": "成本合计（元）",
    "st_net": "净收益（元）：收入合计 − 成本合计",
    "st_share": "业主分享（元）",
    "st_share_note": "扣除合理成本后的收益全部属于业主共有（民法典第282条），应等于净收益。",
    "st_disbursements": "支用明细（从业主共有收益中支出）",
    "st_add_disbursements": "添加一行支用",
    "st_total_disbursements": "支用合计（元）",
    "st_spending": "维修资金使用明细",
    "st_spending_note": (
        "每一笔使用都要选择批准它的表决（已通过的“使用维修资金”表决）。"
        "下面列出各表决批准的金额和尚可使用的金额。"
    ),
    "st_add_spending": "添加一笔使用",
    "st_total_spending": "使用合计（元）",
    "st_item": "用途",
    "st_ballot": "批准的表决",
    "st_ballot_choose": "请选择批准这笔使用的表决",
    "st_ballot_none": "本小区还没有已通过的使用维修资金表决",
    "st_ballot_option": "编号 {id}：{title}（尚可使用 {left} 元）",
    "st_approval_line": "编号 {id}：{title}，批准 {approved} 元，尚可使用 {left} 元",
    "st_costs_line": "成本一行",
    "st_disbursements_line": "支用一行",
    "st_spending_line": "使用一笔",
    "v_ballot": "请选择批准这笔使用的表决",
    "v_over_ballot": (
        "表决编号 {id}“{title}”尚可使用 {left} 元，本表引用它的使用已达 {spent} 元，超出批准金额"
    ),
    "st_period": "月份（如 2026-04）",
    "st_opening": "期初余额（元）",
    "st_income": "收入明细",
    "st_expense": "支出明细",
    "st_category": "项目",
    "st_amount": "金额（元）",
    "st_add_income": "添加一行收入",
    "st_add_expense": "添加一行支出",
    "st_remove": "删除这一行",
    "st_total_income": "收入合计（元）",
    "st_total_expense": "支出合计（元）",
    "st_closing": "期末余额（元）",
    "st_upload": "从 CSV / Excel 读入明细",
    "st_upload_note": (
        "每行：收入或支出、项目、金额（元）、备注。读入的每一行会填进下面的表格，"
        "有错的行会在原处标出文件行号；核对无误后再发布。"
    ),
    "st_upload_note_IncomeExpense": (
        "每行：收入或支出、项目、金额（元）、备注。读入的每一行会填进下面的表格，"
        "有错的行会在原处标出文件行号；核对无误后再发布。"
    ),
    "st_upload_note_CommonAreaIncome": (
        "每行：收入、成本或支用，项目，金额（元），备注。读入的每一行会填进下面的表格，"
        "有错的行会在原处标出文件行号；核对无误后再发布。"
    ),
    "st_upload_note_MaintenanceFund": (
        "每行：使用、用途、金额（元）、表决编号（见下面所列已通过的表决）、备注。"
        "读入的每一行会填进下面的表格，有错的行会在原处标出文件行号；核对无误后再发布。"
    ),
    "st_upload_done_IncomeExpense": "已读入 {income} 行收入、{expense} 行支出",
    "st_upload_done_CommonAreaIncome": (
        "已读入 {income} 行收入、{costs} 行成本、{disbursements} 行支用"
    ),
    "st_upload_done_MaintenanceFund": "已读入 {spending} 笔维修资金使用",
    "st_row_error": "第 {row} 行：{text}",
    "check": "先核对",
    "check_ok": "核对无误，可以发布",
    "publish_st": "核对并发布本期报表",
    "published": "已发布，第 {index} 条",
    "bad_money": "请写金额（元），最多两位小数，如 1234.50",
    "required": "请填写",
    "obj_title": "待答复的质疑",
    "obj_none": "目前没有待答复的质疑。",
    "obj_done": "已答复",
    "fee_note": (
        "每个收费项目一行：物业服务费可按楼型（住宅、商铺、别墅……）各列一行，停车费、电梯费等另列。"
    ),
    "fee_add": "添加一个收费项目",
    "fee_remove": "删除收费项目 {n}",
    "fee_item_n": "收费项目 {n}",
    "fee_item_hint": "如 物业服务费、停车费、电梯费",
    "fee_target_hint": "如 住宅、商铺、地下车位",
    "fee_method_hint": "如 按建筑面积按月计收",
    "fee_basis_hint": "如 物业服务合同第五条；市发改委文件号",
    "st_template": "下载模板：",
    "st_file": "选择填好的文件",
    "st_file_row": "文件第 {row} 行",
    "st_income_line": "收入一行",
    "st_expense_line": "支出一行",
    "st_line_note": "备注（可不填）",
    "st_closing_hint_IncomeExpense": "按上面的数字：期初 + 收入 − 支出 = {closing} 元",
    "st_closing_hint_CommonAreaIncome": "按上面的数字：期初 + 业主分享 − 支用 = {closing} 元",
    "st_closing_hint_MaintenanceFund": (
        "按上面的数字：期初 + 交存 + 增值收益 − 使用 = {closing} 元"
    ),
    "bad_balance": "请写金额（元），最多两位小数；亏空写负数，如 -1234.50",
    "v_required": "请填写{field}",
    "v_too_long": "不能超过 {max} 字",
    "v_date": "请选择日期",
    "v_period": "请写月份，格式为 YYYY-MM，如 2026-04",
    "v_fee_twice": "收费项目“{item}”（{target}）重复了",
    "v_no_fee": "至少要有一个收费项目",
    "v_account_id": "账户编号须为 1–64 位小写字母、数字或中间的连字符，如 maintenance-fund",
    "v_account_taken": "账户编号 {id} 已开立（“{name}”），请换一个编号",
    "acct_title": "新开账户",
    "acct_intro": (
        "每个账户有一个固定编号，以后每月的报表都用它。新开账户会作为单独一条公示在账目里，"
        "业主都能看到、可以质疑。"
    ),
    "acct_none": "尚未开立任何账户。",
    "acct_line": "{name}（{id}，{kind}）：截至 {period} 余额 {closing} 元",
    "acct_kind": "账户类型",
    "acct_name": "账户名称",
    "acct_id": "账户编号",
    "acct_id_note": "小写字母、数字和连字符，如 maintenance-fund、parking-income；开立后不能更改。",
    "acct_first_period": "首个报告月份（如 2026-05）",
    "acct_opening": "开户余额（元）",
    "acct_publish": "核对并公示新开账户",
    "busy": "正在处理……",
    "error": "出错了：",
    "no_crypto": "此浏览器不支持所需的加密功能，请换用新版浏览器。",
    "no_key": "本设备没有物业密钥",
}

EN: dict[str, str] = {
    **reply_text.EN,
    "app": "Gongzhi · Manager",
    "other_lang": "中文",
    "title": "Property manager's desk",
    "intro": "Publish the fee standard, the monthly income and expense, the maintenance fund and "
    "the common-area income, and answer owners' objections. "
    "Before publishing, the accounts are checked; any error is shown beside its field.",
    "to_accounts": "Public accounts",
    "key_title": "This device's manager key",
    "key_none": "This device has no manager key yet. Make one and give the DID below to the "
    "street office, which names it the property manager.",
    "key_make": "Make this device's key",
    "key_did": "This device's DID: {did}",
    "signin": "Sign in with this device's key",
    "signin_busy": "Signing in…",
    "signed_in": "Signed in",
    "signin_refused": "Not signed in: this device's DID is not the estate's property manager "
    "yet. Give the DID above to the street office; once it names this DID the property "
    "manager, sign in again.",
    "signin_demo": "On the demo server: go back to the demo page and press “Act as the "
    "property manager on this device”.",
    "signin_first": "Sign in with this device's key first to publish.",
    "fee_title": "Publish the fee standard",
    "fee_provider": "Property service company",
    "fee_effective": "In force from",
    "fee_hotline": "Price complaint hotline",
    "fee_item": "Fee",
    "fee_target": "Charged to",
    "fee_standard": "Standard (yuan)",
    "fee_per": "Per",
    "fee_method": "How it is charged",
    "fee_basis": "Legal basis",
    "fee_pricing": "Price regime",
    "per_m2_month": "per m² of floor area per month",
    "per_household_month": "per household per month",
    "per_space_month": "per parking space per month",
    "per_time": "per time",
    "pricing_government_guided": "government-guided price",
    "pricing_market": "market price",
    "publish_fee": "Check and publish the fee standard",
    "st_title": "Publish an account's statement",
    "st_intro": "Choose the account: the form shows what its kind reports (income and expense, "
    "maintenance fund or common-area income), the month and opening balance filled in from its "
    "last statement.",
    "st_account": "Account",
    "st_kind": "Kind of account: {kind}",
    "st_no_account": "No account yet: open one below first (“Open a new account”).",
    "st_deposits": "Deposits this month (yuan)",
    "st_interest": "Interest and other returns (yuan)",
    "st_costs": "Cost lines",
    "st_add_costs": "Add a cost line",
    "st_total_costs": "Total cost (yuan)",
    "st_net": "Net (yuan): total income − total cost",
    "st_share": "Owners' share (yuan)",
    "st_share_note": "After reasonable costs the income belongs to the owners in common (Civil "
    "Code Art. 282): it equals the net.",
    "st_disbursements": "Disbursements (paid out of the owners' income)",
    "st_add_disbursements": "Add a disbursement",
    "st_total_disbursements": "Total disbursed (yuan)",
    "st_spending": "Maintenance fund spending",
    "st_spending_note": "Each payment names the ballot that approved it (a passed ballot on "
    "using the maintenance fund). Below: what each approved and what is left.",
    "st_add_spending": "Add a payment",
    "st_total_spending": "Total spending (yuan)",
    "st_item": "Paid for",
    "st_ballot": "Approving ballot",
    "st_ballot_choose": "Choose the ballot that approved this payment",
    "st_ballot_none": "This community has no passed ballot on using the maintenance fund yet",
    "st_ballot_option": "No. {id}: {title} ({left} yuan left)",
    "st_approval_line": "No. {id}: {title}, approved {approved} yuan, {left} yuan left",
    "st_costs_line": "Cost line",
    "st_disbursements_line": "Disbursement",
    "st_spending_line": "Payment",
    "v_ballot": "Choose the ballot that approved this payment",
    "v_over_ballot": "Ballot no. {id} “{title}” has {left} yuan left, and the payments citing "
    "it here come to {spent} yuan: more than was approved",
    "st_period": "Month (e.g. 2026-04)",
    "st_opening": "Opening balance (yuan)",
    "st_income": "Income lines",
    "st_expense": "Expense lines",
    "st_category": "Category",
    "st_amount": "Amount (yuan)",
    "st_add_income": "Add an income line",
    "st_add_expense": "Add an expense line",
    "st_remove": "Remove this line",
    "st_total_income": "Total income (yuan)",
    "st_total_expense": "Total expense (yuan)",
    "st_closing": "Closing balance (yuan)",
    "st_upload": "Read lines from CSV / Excel",
    "st_upload_note": "One line a row: income or expense, category, amount (yuan), note. "
    "Every row read fills the form below, a bad one marked in place with its row number; "
    "check them before publishing.",
    "st_upload_note_IncomeExpense": "One line a row: income or expense, category, amount "
    "(yuan), note. Every row read fills the form below, a bad one marked in place with its row "
    "number; check them before publishing.",
    "st_upload_note_CommonAreaIncome": "One line a row: income, cost or disbursement, category, "
    "amount (yuan), note. Every row read fills the form below, a bad one marked in place with "
    "its row number; check them before publishing.",
    "st_upload_note_MaintenanceFund": "One payment a row: spending, what it paid for, amount "
    "(yuan), the ballot number (listed below), note. Every row read fills the form below, a bad "
    "one marked in place with its row number; check them before publishing.",
    "st_upload_done_IncomeExpense": "Read {income} income and {expense} expense lines",
    "st_upload_done_CommonAreaIncome": "Read {income} income, {costs} cost and "
    "{disbursements} disbursement lines",
    "st_upload_done_MaintenanceFund": "Read {spending} payments from the fund",
    "st_row_error": "Row {row}: {text}",
    "check": "Check first",
    "check_ok": "Checked: ready to publish",
    "publish_st": "Check and publish this statement",
    "published": "Published as entry {index}",
    "bad_money": "Write an amount in yuan with at most two decimals, e.g. 1234.50",
    "required": "Required",
    "obj_title": "Objections awaiting an answer",
    "obj_none": "No objection awaits an answer.",
    "obj_done": "Answered",
    "fee_note": "One row per fee: the service fee once per building type (homes, shops, "
    "villas…), parking, lifts and so on each on a row of their own.",
    "fee_add": "Add a fee",
    "fee_remove": "Remove fee {n}",
    "fee_item_n": "Fee {n}",
    "fee_item_hint": "e.g. property service fee, parking, lift",
    "fee_target_hint": "e.g. homes, shops, underground spaces",
    "fee_method_hint": "e.g. by floor area, monthly",
    "fee_basis_hint": "e.g. service contract art. 5; price bureau notice no.",
    "st_template": "Download a template:",
    "st_file": "Choose the filled-in file",
    "st_file_row": "Row {row} of the file",
    "st_income_line": "Income line",
    "st_expense_line": "Expense line",
    "st_line_note": "Note (optional)",
    "st_closing_hint_IncomeExpense": "From the figures above: opening + income − expense = "
    "{closing} yuan",
    "st_closing_hint_CommonAreaIncome": "From the figures above: opening + owners' share − "
    "disbursed = {closing} yuan",
    "st_closing_hint_MaintenanceFund": "From the figures above: opening + deposits + interest − "
    "spending = {closing} yuan",
    "bad_balance": "Write an amount in yuan with at most two decimals; a deficit as a "
    "negative number, e.g. -1234.50",
    "v_required": "Fill in {field}",
    "v_too_long": "At most {max} characters",
    "v_date": "Choose a date",
    "v_period": "Write the month as YYYY-MM, e.g. 2026-04",
    "v_fee_twice": "The fee “{item}” ({target}) is listed twice",
    "v_no_fee": "List at least one fee",
    "v_account_id": "An account id is 1–64 lowercase letters, digits or inner hyphens, "
    "e.g. maintenance-fund",
    "v_account_taken": "Account id {id} is already open (“{name}”): choose another",
    "acct_title": "Open a new account",
    "acct_intro": "Each account has a fixed id that every later statement names. Opening one "
    "is published as an entry of its own, for every owner to see and question.",
    "acct_none": "No account is open yet.",
    "acct_line": "{name} ({id}, {kind}): balance {closing} yuan at the end of {period}",
    "acct_kind": "Kind of account",
    "acct_name": "Account name",
    "acct_id": "Account id",
    "acct_id_note": "Lowercase letters, digits and hyphens, e.g. maintenance-fund, "
    "parking-income; it cannot be changed once open.",
    "acct_first_period": "First month reported (e.g. 2026-05)",
    "acct_opening": "Opening balance (yuan)",
    "acct_publish": "Check and publish the new account",
    "busy": "Working…",
    "error": "Error: ",
    "no_crypto": "This browser lacks the cryptography needed; use a current browser.",
    "no_key": "This device holds no manager key",
}


def text_for(lang: str) -> dict[str, str]:
    """The page words in `lang` ("en"; anything else is Chinese)."""
    return EN if lang == "en" else ZH
