"""The demo community's disclosure log: what a visitor sees at ``/c/{slug}/disclosures``.

A demo property manager (a server-held key, like the demo owners') is named the community's
``propertyManager`` by a role credential the demo street office signs (as ``gongzhi office
grant-role`` does on a real office's machine), stored by
`identity.community.issuance.store_role`. It publishes a fee standard (《物业服务收费明码标价规定》
第七条), three consecutive monthly income and expense statements of one account (民法典
第九百四十三条), the maintenance fund's statements of the same months (a balance to chart);
a demo owner objects to one line and the manager replies. Every entry is signed by its
author's key and appended by `ledger.disclosure.service.DisclosureLogs.append` under the same
`Policy` the API builds from a signed-in caller — roles read from credentials verified as at
sign-in — so the accounting, continuity and authority checks are the real ones. Money is
integer fen; names and texts say 演示 so nobody takes them for a real community's accounts.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.community import issuance, registrations
from identity.community.models import Community, Person
from identity.community.origins import disclosure_origin
from identity.community.registry import get_community
from identity.community.signin import PROPERTY_MANAGER, grant_of
from identity.community.vc import verify_credential
from identity.w3c.credential import sign_credential
from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from ledger.disclosure.fields import next_period
from ledger.disclosure.service import Appended, DisclosureLogs
from ledger.tlog.records import LogRef
from web.api.disclosures import _policy as policy_for  # the API's own policy, not a copy
from web.auth.sessions import Principal
from web.server.services import Services

MANAGER_KEY_FILE = "demo-manager-key.json"
PROVIDER = "仙霞示范物业服务有限公司（演示）"
ACCOUNT = "物业服务费收支（演示）"
FUND = "专项维修资金（演示）"
# Stable ids: statements name their account by these, never by the (look-alike-prone) name.
ACCOUNT_ID = "demo-service-fee"
FUND_ID = "demo-maintenance-fund"
FUND_OPENING = 386_452_100
Lines = Sequence[tuple[str, int]]

# Three months of one account: (income lines, expense lines), in fen. The opening balance of
# the first month is OPENING; each later month opens at the previous closing (checked).
OPENING = 1_234_560
MONTHS: tuple[tuple[Lines, Lines], ...] = (
    (
        (("物业服务费", 4_862_500), ("停车服务费", 960_000), ("其他收入", 45_000)),
        (
            ("人员工资及社保", 2_650_000),
            ("清洁卫生", 820_000),
            ("秩序维护", 910_000),
            ("公共水电", 286_430),
            ("电梯维保", 180_000),
            ("绿化养护", 120_000),
        ),
    ),
    (
        (("物业服务费", 4_791_250), ("停车服务费", 945_000), ("其他收入", 38_500)),
        (
            ("人员工资及社保", 2_650_000),
            ("清洁卫生", 820_000),
            ("秩序维护", 910_000),
            ("公共水电", 301_275),
            ("电梯维保", 468_000),
            ("绿化养护", 95_000),
        ),
    ),
    (
        (("物业服务费", 4_905_000), ("停车服务费", 972_000), ("其他收入", 41_200)),
        (
            ("人员工资及社保", 2_650_000),
            ("清洁卫生", 820_000),
            ("秩序维护", 910_000),
            ("公共水电", 274_960),
            ("电梯维保", 180_000),
            ("绿化养护", 132_000),
        ),
    ),
)
# The maintenance fund over the same months: (deposits, interest) in fen; interest is
# credited once a quarter, and nothing is spent (spending needs a passed ballot).
FUND_MONTHS: tuple[tuple[int, int], ...] = ((1_250_000, 0), (1_182_500, 0), (1_310_000, 96_611))
OBJECTED_MONTH = 1  # the second month: 电梯维保 jumped


def _lines(items: Lines) -> list[dict[str, Any]]:
    return [{"category": c, "amountFen": a} for c, a in items]


def fee_standard(effective: str) -> dict[str, Any]:
    """收费标准公示: what each fee is, per what, how it is charged, on what basis."""
    return {
        "provider": PROVIDER,
        "effective": effective,
        "hotline": "12345",
        "items": [
            {
                "item": "物业服务费（演示）",
                "target": "住宅",
                "standardFen": 250,
                "per": "m2_month",
                "method": "按房屋产权证载建筑面积按月计收，按季度预交",
                "basis": "物业服务合同第六条；业主大会决定（演示数据）",
                "pricing": "market",
            },
            {
                "item": "地下车位停车服务费（演示）",
                "target": "地下车位",
                "standardFen": 30_000,
                "per": "space_month",
                "method": "按车位按月计收",
                "basis": "物业服务合同第七条（演示数据）",
                "pricing": "market",
            },
        ],
    }


def income_expense(period: str, opening: int, income: Lines, expense: Lines) -> dict[str, Any]:
    total_in, total_out = sum(a for _, a in income), sum(a for _, a in expense)
    return {
        "accountId": ACCOUNT_ID,
        "account": ACCOUNT,
        "period": period,
        "openingFen": opening,
        "income": _lines(income),
        "expense": _lines(expense),
        "totalIncomeFen": total_in,
        "totalExpenseFen": total_out,
        "closingFen": opening + total_in - total_out,
    }


def maintenance_fund(period: str, opening: int, deposits: int, interest: int) -> dict[str, Any]:
    return {
        "accountId": FUND_ID,
        "account": FUND,
        "period": period,
        "openingFen": opening,
        "depositsFen": deposits,
        "interestFen": interest,
        "spending": [],
        "totalSpendingFen": 0,
        "closingFen": opening + deposits + interest,
    }


def account_opened(
    account_id: str, name: str, kind: str, first_period: str, opening: int
) -> dict[str, Any]:
    """新开账户: the explicit act that lets statements of ``account_id`` follow."""
    return {
        "accountId": account_id,
        "name": name,
        "statementKind": kind,
        "firstPeriod": first_period,
        "openingFen": opening,
    }


def periods(now: datetime, count: int) -> list[str]:
    """The ``count`` whole months before ``now``, oldest first (``YYYY-MM``)."""
    year, month = now.year, now.month - count
    while month < 1:
        year, month = year - 1, month + 12
    first = f"{year:04d}-{month:02d}"
    out = [first]
    while len(out) < count:
        out.append(next_period(out[-1]))
    return out


def _manager_key(data_dir: Path) -> KeyPair:
    path = data_dir / MANAGER_KEY_FILE
    if path.exists():
        secret: str = json.loads(path.read_text())["secret"]
        return KeyPair.from_secret_multibase(secret)
    key = KeyPair.generate(KeyType.ED25519)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({"did": key.did.value, "secret": key.secret_multibase()}, f)
    return key


def demo_manager_key(services: Services) -> KeyPair | None:
    """The demo property manager's key, if the demo has one."""
    path = services.settings.data_dir / MANAGER_KEY_FILE
    if not path.exists():
        return None
    return KeyPair.from_secret_multibase(json.loads(path.read_text())["secret"])


def _principal(session: Session, issuers: issuance.Issuers, did: str, now: datetime) -> Principal:
    """The roles `did` would sign in with: its stored credentials, verified as at sign-in
    (`identity.community.signin.authenticate`, without the challenge a live device answers)."""
    lookup = issuance.status_lookup(session, issuers)
    grants: list[dict[str, Any]] = []
    for row in issuance.active(session, subject_did=did):
        community = session.get(Community, row.community_id)
        chain = registrations.documents(session, community) if community is not None else []
        verified = verify_credential(
            issuance.document_of(row),
            now=now,
            trusted_roots=issuers.trusted_roots,
            status_lookup=lookup,
            chain=chain,
        )
        grants.append(grant_of(verified, holder=did))
    return Principal(did=did, grants=tuple(grants), via="demo", expires_at=now)


class _Publisher:
    """Signs as one demo person and appends through the service under their own policy."""

    def __init__(
        self,
        session: Session,
        services: Services,
        slug: str,
        log: LogRef,
        principal: Principal,
        now: datetime,
    ) -> None:
        self.logs, self.log, self.now = DisclosureLogs(session), log, now
        self.policy = policy_for(session, services, slug, principal)
        self.signer = services.log_signer(log)

    def append(self, key: KeyPair, doc: dict[str, Any]) -> Appended:
        # dated, as a publisher's device dates what it signs (the page shows when, in 北京时间)
        signed = sign_json({"log": self.log.origin} | doc, key, created=self.now)
        return self.logs.append(self.log, signed, policy=self.policy, signer=self.signer)


def name_manager(
    session: Session,
    community: Community,
    did: str,
    office: KeyPair,
    roots: frozenset[str],
    now: datetime,
) -> bool:
    """DEMO ONLY: the demo street office names `did` the community's property manager (a
    CommunityRoleCredential, as ``gongzhi office grant-role`` signs it); True if issued now,
    False if that DID holds the role already."""
    if any(
        row.role == PROPERTY_MANAGER
        for row in issuance.active(
            session, community=community, subject_did=did, kinds=[issuance.ROLE]
        )
    ):
        return False
    unsigned = issuance.role_credential(
        root=office.did.value,
        holder=did,
        community_id=community.slug,
        role=PROPERTY_MANAGER,
        valid_from=now,
    )
    issuance.store_role(
        session,
        community=community,
        credential=sign_credential(unsigned, office, created=now),
        roots=roots,
        now=now,
    )
    return True


def seed_disclosures(
    services: Services,
    *,
    slug: str,
    objector: KeyPair,
    issuers: issuance.Issuers,
    office: KeyPair,
) -> bool:
    """Publish the demo disclosures unless the community's log has entries; True if now.
    `office` (the demo street office) names the demo manager by a signed role credential."""
    now = datetime.now(UTC).replace(microsecond=0)
    with services.db.session() as session:
        logs = DisclosureLogs(session)
        log = logs.ensure(disclosure_origin(services.public_host, slug))
        if logs.store.size(log) > 0:
            return False
        community = get_community(session, slug)
        manager = _manager_key(services.settings.data_dir)
        name_manager(session, community, manager.did.value, office, issuers.trusted_roots, now)
        owner = session.scalar(select(Person).where(Person.did == objector.did.value))
        if owner is not None and not issuance.active(session, person=owner):
            # Queued and, on a demo server, signed at once by a demo member (`web.demo.community`).
            issuance.queue_ownership(
                session, community=community, person=owner, issuers=issuers, now=now
            )
        session.flush()
        pm = _Publisher(
            session, services, slug, log, _principal(session, issuers, manager.did.value, now), now
        )
        resident = _Publisher(
            session, services, slug, log, _principal(session, issuers, objector.did.value, now), now
        )
        publisher = {"type": "Disclosure", "publisher": manager.did.value}
        months = periods(now, len(MONTHS))
        pm.append(
            manager,
            publisher | {"kind": "FeeStandard", "body": fee_standard(f"{months[0][:4]}-01-01")},
        )
        for account_id, name, kind, first, balance in (
            (ACCOUNT_ID, ACCOUNT, "IncomeExpense", months[0], OPENING),
            (FUND_ID, FUND, "MaintenanceFund", months[0], FUND_OPENING),
        ):
            body = account_opened(account_id, name, kind, first, balance)
            pm.append(manager, publisher | {"kind": "AccountOpened", "body": body})
        opening = OPENING
        objected: Appended | None = None
        for period, (income, expense) in zip(months, MONTHS, strict=True):
            body = income_expense(period, opening, income, expense)
            at = pm.append(manager, publisher | {"kind": "IncomeExpense", "body": body})
            if period == months[OBJECTED_MONTH]:
                objected = at
            opening = body["closingFen"]
        balance = FUND_OPENING
        for period, (deposits, interest) in zip(months, FUND_MONTHS, strict=True):
            body = maintenance_fund(period, balance, deposits, interest)
            pm.append(manager, publisher | {"kind": "MaintenanceFund", "body": body})
            balance = body["closingFen"]
        if objected is not None:
            objection = resident.append(
                objector,
                {
                    "type": "Objection",
                    "objector": objector.did.value,
                    "target": {"index": objected.index, "leafHash": objected.leaf_hash.hex()},
                    "text": f"{months[OBJECTED_MONTH]} 电梯维保支出 4,680.00 元，比上月多出一倍多，"
                    "请说明原因。（演示）",
                },
            )
            pm.append(
                manager,
                {
                    "type": "ObjectionReply",
                    "publisher": manager.did.value,
                    "objection": {
                        "index": objection.index,
                        "leafHash": objection.leaf_hash.hex(),
                    },
                    "action": "explained",
                    "text": "当月更换了3号楼电梯曳引钢丝绳（维保合同外维修，2,880.00 元），"
                    "维修单与发票可在物业服务中心查阅。（演示）",
                },
            )
    return True
