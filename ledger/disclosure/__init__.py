"""Public disclosures of a community's money, as entries of its disclosure log (pure, no I/O).

* `kinds` — the five kinds of disclosure and their schemas: fee standards (物业服务收费明码标价
  规定), monthly income and expense statements (民法典 第943条), maintenance-fund accounts
  (住宅专项维修资金管理办法), common-area operating income (民法典 第282条), and documents
  (service contracts, meeting minutes) by attachment hash.
* `entries` — the signed envelope of every log entry: disclosures, objections (质疑), the
  publisher's replies and the objector's review, i.e. 说、议、办、评 in public.
* `accounting` — the checks an entry must pass before it is appended: totals, balances,
  continuity of periods, spending only as approved by a ballot.
* `approval` — what a passed ballot on 使用维修资金 (Art. 278 item 5) approves.
"""
