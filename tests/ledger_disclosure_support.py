"""Builders of disclosure-log entries for the ledger disclosure tests: bodies whose figures add
up (unless told otherwise), entries signed by fixed keys, and ballot-result evidence."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from identity.community.committee import (
    Member,
    RegistrationChain,
    ServerKeys,
    WitnessKey,
    build_registration,
    decision_share,
    sign_registration,
    with_proofs,
)
from identity.community.issuance import role_credential
from identity.community.logged_decision import verify_logged_decision
from identity.community.trustfile import PinnedTrust
from identity.w3c.credential import sign_credential
from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.jcs import canonical
from identity.w3c.keys import KeyPair
from ledger.disclosure.approval import BallotRef
from ledger.disclosure.bundle_export import BUNDLE_FORMAT
from ledger.disclosure.service import Appended, DisclosureLogs, Policy, approved_from_store
from ledger.tlog.checkpoint import Checkpoint, sign_checkpoint
from ledger.tlog.merkle import leaf_hash
from ledger.tlog.models import LedgerBase
from ledger.tlog.note_keys import CosignatureSigner, Ed25519Signer
from ledger.tlog.records import log_id_of
from ledger.tlog.store import LogStore
from ledger.tlog.treefile import CompactRange
from voting.census_rows import census_of, census_root
from voting.items import Item, evaluate_item
from voting.matters import Matter
from voting.rules import Choice
from voting.schedule import Rules
from voting.spending import ballot_decision

HOST = "gongzhi.example"
SLUG = "xianxia"
ORIGIN = f"{HOST}/c/{SLUG}/disclosures"
BALLOT = f"{HOST}/c/{SLUG}/ballots/7"

MANAGER = KeyPair.from_private_bytes(KeyType.ED25519, bytes(range(1, 33)))
COMMITTEE = KeyPair.from_private_bytes(KeyType.ED25519, bytes(range(2, 34)))
OWNER = KeyPair.from_private_bytes(KeyType.ED25519, bytes(range(3, 35)))
OTHER_OWNER = KeyPair.from_private_bytes(KeyType.ED25519, bytes(range(4, 36)))

Lines = Sequence[tuple[str, int]]


ACCOUNT_IDS = {
    "物业服务费": "service-fee",
    "全体业主维修资金": "maintenance-fund",
    "共有部分经营收益": "common-area",
}


def account_id_of(name: str) -> str:
    """The id the builders give an account of this name (tests pick ids, the log keeps them)."""
    return ACCOUNT_IDS.get(name) or "acct-" + hashlib.sha256(name.encode()).hexdigest()[:12]


def account_opened(
    kind: str = "IncomeExpense",
    account: str = "物业服务费",
    *,
    account_id: str | None = None,
    period: str = "2026-01",
    opening: int = 0,
) -> dict[str, Any]:
    """The body of an AccountOpened disclosure."""
    return {
        "accountId": account_id or account_id_of(account),
        "name": account,
        "statementKind": kind,
        "firstPeriod": period,
        "openingFen": opening,
    }


def lines(items: Lines) -> list[dict[str, Any]]:
    return [{"category": c, "amountFen": a} for c, a in items]


def income_expense(
    *,
    account: str = "物业服务费",
    account_id: str | None = None,
    period: str = "2026-01",
    opening: int = 0,
    income: Lines = (("物业服务费", 520_000), ("停车管理费", 80_000)),
    expense: Lines = (("保洁", 150_000), ("秩序维护", 200_000), ("公共水电", 45_678)),
) -> dict[str, Any]:
    ti, te = sum(a for _, a in income), sum(a for _, a in expense)
    return {
        "accountId": account_id or account_id_of(account),
        "account": account,
        "period": period,
        "openingFen": opening,
        "income": lines(income),
        "expense": lines(expense),
        "totalIncomeFen": ti,
        "totalExpenseFen": te,
        "closingFen": opening + ti - te,
    }


def maintenance_fund(
    *,
    account: str = "全体业主维修资金",
    account_id: str | None = None,
    period: str = "2026-01",
    opening: int = 10_000_000,
    deposits: int = 300_000,
    interest: int = 12_345,
    spending: Sequence[tuple[str, int, dict[str, Any]]] = (),
) -> dict[str, Any]:
    total = sum(a for _, a, _ in spending)
    return {
        "accountId": account_id or account_id_of(account),
        "account": account,
        "period": period,
        "openingFen": opening,
        "depositsFen": deposits,
        "interestFen": interest,
        "spending": [{"item": i, "amountFen": a, "approval": ref} for i, a, ref in spending],
        "totalSpendingFen": total,
        "closingFen": opening + deposits + interest - total,
    }


def common_area(
    *,
    account: str = "共有部分经营收益",
    account_id: str | None = None,
    period: str = "2026-01",
    opening: int = 0,
    income: Lines = (("电梯广告", 120_000), ("地面停车位租金", 300_000)),
    costs: Lines = (("代收管理成本", 42_000),),
    disbursements: Lines = (),
) -> dict[str, Any]:
    ti, tc, td = (sum(a for _, a in x) for x in (income, costs, disbursements))
    return {
        "accountId": account_id or account_id_of(account),
        "account": account,
        "period": period,
        "openingFen": opening,
        "income": lines(income),
        "costs": lines(costs),
        "totalIncomeFen": ti,
        "totalCostFen": tc,
        "netFen": ti - tc,
        "ownersShareFen": ti - tc,
        "disbursements": lines(disbursements),
        "totalDisbursedFen": td,
        "closingFen": opening + ti - tc - td,
    }


def fee_standard() -> dict[str, Any]:
    return {
        "provider": "上海仙霞物业服务有限公司",
        "effective": "2026-01-01",
        "hotline": "12358",
        "items": [
            {
                "item": "物业服务费",
                "target": "住宅",
                "standardFen": 250,
                "per": "m2_month",
                "method": "按建筑面积按月计收",
                "basis": "物业服务合同第五条；沪发改价督〔2021〕1号",
                "pricing": "market",
            },
            {
                "item": "停车服务费",
                "target": "地下车位",
                "standardFen": 30_000,
                "per": "space_month",
                "method": "按车位按月计收",
                "basis": "业主大会决定（2025年第2次）",
                "pricing": "market",
            },
        ],
    }


def attachment(title: str = "2026年物业服务合同") -> dict[str, Any]:
    return {
        "category": "service_contract",
        "title": title,
        "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "size": 284_113,
        "date": "2026-01-01",
        "mediaType": "application/pdf",
    }


def disclosure(
    kind: str, body: dict[str, Any], *, key: KeyPair = MANAGER, origin: str = ORIGIN
) -> dict[str, Any]:
    doc = {"type": "Disclosure", "log": origin, "kind": kind, "publisher": str(key.did)}
    return sign_json(doc | {"body": body}, key)


def objection(
    index: int, leaf: bytes, text: str = "保洁费用明显偏高，请说明", *, key: KeyPair = OWNER
) -> dict[str, Any]:
    doc = {
        "type": "Objection",
        "log": ORIGIN,
        "objector": str(key.did),
        "target": {"index": index, "leafHash": leaf.hex()},
        "text": text,
    }
    return sign_json(doc, key)


def reply(
    index: int,
    leaf: bytes,
    text: str = "保洁合同价格见附件，已公示",
    *,
    key: KeyPair = MANAGER,
    action: str = "explained",
) -> dict[str, Any]:
    doc = {
        "type": "ObjectionReply",
        "log": ORIGIN,
        "publisher": str(key.did),
        "objection": {"index": index, "leafHash": leaf.hex()},
        "action": action,
        "text": text,
    }
    return sign_json(doc, key)


def review(
    objection_at: tuple[int, bytes],
    reply_at: tuple[int, bytes],
    *,
    satisfied: bool = True,
    key: KeyPair = OWNER,
) -> dict[str, Any]:
    doc = {
        "type": "ObjectionReview",
        "log": ORIGIN,
        "objector": str(key.did),
        "objection": {"index": objection_at[0], "leafHash": objection_at[1].hex()},
        "reply": {"index": reply_at[0], "leafHash": reply_at[1].hex()},
        "satisfied": satisfied,
    }
    return sign_json(doc, key)


def raw(doc: dict[str, Any]) -> bytes:
    return canonical(doc)


def leaf(doc: dict[str, Any]) -> bytes:
    return leaf_hash(canonical(doc))


ANNOUNCED_AT = datetime(2025, 12, 1, tzinfo=UTC)
OPENS_AT = ANNOUNCED_AT + timedelta(days=16)
CLOSES_AT = OPENS_AT + timedelta(days=7)
CENSUS: list[dict[str, Any]] = [
    {
        "voter": f"V{i:04d}",
        "did": None,
        "units": [f"3-{100 + i}"],
        "area": "90.00",
        "developer": False,
    }
    for i in (1, 2, 3)
]


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def fund_item(*, matter: int = 5, amount: int | None = 5_000_000) -> dict[str, Any]:
    """The ballot's one agenda item: using the maintenance fund (matter 5) by default. Only a
    matter-5 item may state an amount (voting.items refuses ``amountFen`` elsewhere), so an item
    on another matter carries none."""
    item: dict[str, Any] = {
        "id": "1",
        "kind": "motion",
        "matter": matter,
        "matterName": Matter(matter).zh,
        "title": "更换3号楼电梯",
        "text": "使用维修资金更换3号楼两部电梯",
        "attachments": [],
    }
    return item if amount is None or matter != 5 else item | {"amountFen": amount}


def ballot_entries(
    *,
    ballot: str = BALLOT,
    matter: int = 5,
    amount: int | None = 5_000_000,
    passed: bool = True,
    signers: Sequence[KeyPair] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A ballot's BallotAnnounced (entry 0) and BallotResult entries, what approval reads:
    committee decisions, signed by two of the three registered members. The result counts
    the three census voters all agreeing (``passed``) or all opposing."""
    item = fund_item(matter=matter, amount=amount)
    announced = {
        "type": "BallotAnnounced",
        "ballot": ballot,
        "community": SLUG,
        "title": "2026年第一次业主大会",
        "text": "就下列事项书面表决",
        "items": [item],
        "rules": Rules().to_json(),
        "announcedAt": _iso(ANNOUNCED_AT),
        "opensAt": _iso(OPENS_AT),
        "closesAt": _iso(CLOSES_AT),
        "logKey": log_signer(ballot).vkey,
    }
    choice = Choice.AGREE if passed else Choice.OPPOSE
    outcome = evaluate_item(
        Item.parse(item), census_of(CENSUS), {row["voter"]: choice for row in CENSUS}
    )
    assert outcome.passed is passed
    result = {
        "type": "BallotResult",
        "ballot": ballot,
        "community": SLUG,
        "closedAt": _iso(CLOSES_AT),
        "votes": len(CENSUS),
        "boxSize": 2 + len(CENSUS),
        "objectionsUntil": _iso(CLOSES_AT + timedelta(days=Rules().objection_days)),
        "items": [{"id": "1", "kind": "motion", "outcome": outcome.to_json()}],
    }
    keys = MEMBERS[:2] if signers is None else signers
    return decided(announced, keys), decided(result, keys)


def ballot_opened(ballot: str = BALLOT) -> dict[str, Any]:
    """The ballot's BallotOpened entry (entry 1): the census frozen as voting opens."""
    census = {
        "root": census_root(CENSUS).hex(),
        "voters": CENSUS,
        "total": census_of(CENSUS).total.to_json(),
    }
    body = {
        "type": "BallotOpened",
        "ballot": ballot,
        "community": SLUG,
        "openedAt": _iso(OPENS_AT),
        "census": census,
    }
    return decided(body, MEMBERS[:2])


def decided(body: dict[str, Any], signers: Sequence[KeyPair]) -> dict[str, Any]:
    doc = body | {"registration": REGISTRATION_CHAIN.registrations[0].hash}
    return with_proofs(doc, [decision_share(doc, k, created=DECIDED_AT) for k in signers])


# --- a community's disclosure log in a real database ----------------------------------------

LOG_SEED = bytes(range(100, 132))
COMMITTEE_WITNESS = CosignatureSigner(
    "committee.xianxia.gongzhi.example", bytes(range(5, 37)), clock=lambda: 1_767_225_600
)
STREET_WITNESS = CosignatureSigner(
    "street.xianxia.gongzhi.example", bytes(range(6, 38)), clock=lambda: 1_767_225_601
)
ROLES = {str(MANAGER.did): "property_manager", str(COMMITTEE.did): "committee"}
RESIDENTS = {str(OWNER.did), str(OTHER_OWNER.did)}


def log_signer(origin: str) -> Ed25519Signer:
    return Ed25519Signer(origin, LOG_SEED)


# --- the street office, its registration of the committee, and the pinned trust -----------------

ROOT = KeyPair.from_private_bytes(KeyType.ED25519, bytes(range(7, 39)))
# The committee that publishes (COMMITTEE) is a registered member, as a verifier asks.
MEMBERS = [
    *(KeyPair.from_private_bytes(KeyType.ED25519, bytes(range(i, i + 32))) for i in (8, 9)),
    COMMITTEE,
]
TERM = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC))
DECIDED_AT = datetime(2026, 1, 10, tzinfo=UTC)
REGISTRATION = sign_registration(
    build_registration(
        root=ROOT.did.value,
        community=SLUG,
        sequence=1,
        members=[
            Member(k.did.value, "chair" if i == 0 else "member") for i, k in enumerate(MEMBERS)
        ],
        server=ServerKeys(
            status_issuer=MANAGER.did.value, disclosure_log_key=log_signer(ORIGIN).vkey
        ),
        valid_from=TERM[0],
        valid_until=TERM[1],
        witnesses=[
            WitnessKey(COMMITTEE_WITNESS.vkey, "committee"),
            WitnessKey(STREET_WITNESS.vkey, "street_office"),
        ],
    ),
    ROOT,
    created=TERM[0],
)
REGISTRATIONS: list[Mapping[str, Any]] = [REGISTRATION]
# The street office names the property manager (who publishes most disclosures).
MANAGER_ROLE = sign_credential(
    role_credential(
        root=ROOT.did.value,
        holder=MANAGER.did.value,
        community_id=SLUG,
        role="propertyManager",
        valid_from=TERM[0],
        valid_until=TERM[1],
        credential_id="urn:uuid:6f1c1d9e-3f1a-4c55-9a55-1f0c3e7b2a10",
    ),
    ROOT,
    created=TERM[0],
)
ROLE_CREDENTIALS: list[Mapping[str, Any]] = [MANAGER_ROLE]
ROOTS = frozenset({ROOT.did.value})
REGISTRATION_CHAIN = RegistrationChain.of(REGISTRATIONS, ROOTS, SLUG)


class _Anchor(Protocol):
    @property
    def address(self) -> str: ...


class _WithChain(_Anchor, Protocol):
    @property
    def chain(self) -> Any: ...


def trust(contract: _WithChain | None = None) -> PinnedTrust:
    """The pinned trust of these tests: the office's root, and the contract's chain (a
    placeholder chain and address when the test verifies without one)."""
    if contract is None:
        return PinnedTrust(1337, "0x" + "00" * 19 + "01", ROOTS)
    return PinnedTrust(contract.chain.chain_id, contract.address, ROOTS)


def committee_decision(doc: Mapping[str, Any]) -> str:
    """What the server's approval lookup is handed to check a ballot entry (as the committee's
    decision under the registration in force when signed); a stand-in signer on success."""
    verify_logged_decision(doc, REGISTRATION_CHAIN)
    return "committee"


def make_tables(engine: Engine) -> None:
    import ledger.disclosure.models  # noqa: F401  (registers the tables on LedgerBase)

    LedgerBase.metadata.create_all(engine)


def open_ballot_log(
    session: Session, *, ballot: str = BALLOT, amount: int | None = 5_000_000, passed: bool = True
) -> BallotRef:
    """A ballot box holding BallotAnnounced, BallotOpened, one vote per census voter and
    BallotResult, checkpointed; the reference is to the result."""
    store = LogStore(session)
    log = store.create_log(ballot, "ballot")
    announced, result = ballot_entries(ballot=ballot, amount=amount, passed=passed)
    choice = "agree" if passed else "oppose"
    # unsigned stand-ins for the votes: approval reads only entry 0 and the result
    votes = [
        canonical(
            {"type": "Vote", "ballot": ballot, "censusEntry": r["voter"], "choices": {"1": choice}}
        )
        for r in CENSUS
    ]
    entries = [canonical(announced), canonical(ballot_opened(ballot)), *votes, canonical(result)]
    store.append(log, entries)
    store.sign_checkpoint(log, log_signer(ballot))
    return BallotRef(ballot, len(entries) - 1, leaf_hash(entries[-1]))


def policy(session: Session, *, roles: dict[str, str] | None = None) -> Policy:
    store = LogStore(session)
    roles = ROLES if roles is None else roles
    return Policy(
        approved=lambda ref: approved_from_store(
            store,
            ref,
            decision=committee_decision,
            read_ballot=ballot_decision,
        ),
        is_resident=RESIDENTS.__contains__,
        publisher_role=roles.get,
    )


def open_account(
    engine: Engine,
    kind: str = "IncomeExpense",
    account: str = "物业服务费",
    *,
    key: KeyPair = MANAGER,
    **kw: Any,
) -> Appended:
    """Publish the AccountOpened entry a statement of ``account`` needs first."""
    return publish(
        engine, disclosure("AccountOpened", account_opened(kind, account, **kw), key=key)
    )


def publish(engine: Engine, doc: dict[str, Any], **kw: Any) -> Appended:
    """Append one entry in its own transaction (rolled back whole if refused)."""
    with Session(engine) as session, session.begin():
        logs = DisclosureLogs(session)
        log = logs.ensure(ORIGIN)
        return logs.append(log, doc, policy=policy(session, **kw), signer=log_signer(ORIGIN))


def ref_json(ref: BallotRef) -> dict[str, Any]:
    return ref.to_json()


# --- a synthetic bundle, built without a database (verifier tests and the benchmark) -------------

ACCOUNTS = 1024  # 1,000,000 entries are ~976 months (81 years) of each account


def _opening(account: int) -> bytes:
    body = account_opened(
        account=f"账户{account}", account_id=f"account-{account}", period="2000-01"
    )
    return canonical(disclosure("AccountOpened", body))


def _statement(account: int, month: int, opening: int, income: int, expense: int) -> bytes:
    body = income_expense(
        account=f"账户{account}",
        account_id=f"account-{account}",
        period=f"{2000 + month // 12:04d}-{month % 12 + 1:02d}",
        opening=opening,
        income=(("物业服务费", income),),
        expense=(("保洁", expense),),
    )
    return canonical(disclosure("IncomeExpense", body))


def synthetic_entries(start: int, end: int, openings: dict[int, int]) -> list[bytes]:
    """Entries [start, end) of the synthetic log: first each account's AccountOpened, then
    their monthly statements; ``openings`` carries each account's balance from one call to
    the next (start at {} for entry 0)."""
    out = []
    for i in range(start, end):
        if i < ACCOUNTS:
            out.append(_opening(i))
            continue
        account, month = (i - ACCOUNTS) % ACCOUNTS, (i - ACCOUNTS) // ACCOUNTS
        income = 500_000 + (i * 7919) % 100_000
        expense = 400_000 + (i * 104_729) % 100_000
        opening = openings.get(account, 0)
        out.append(_statement(account, month, opening, income, expense))
        openings[account] = opening + income - expense
    return out


def bundle_header(size: int) -> str:
    return json.dumps(
        {
            "format": BUNDLE_FORMAT,
            "origin": ORIGIN,
            "logId": log_id_of(ORIGIN).hex(),
            "logKey": log_signer(ORIGIN).vkey,
            "size": size,
            "publishers": [{"did": str(MANAGER.did), "role": "property_manager"}],
            "witnesses": [],
            "registrations": REGISTRATIONS,
            "roles": ROLE_CREDENTIALS,
            "chain": None,
        },
        ensure_ascii=False,
    )


def bundle_lines(entries: Iterable[bytes], size: int, every: int) -> Iterator[str]:
    """A bundle of the given entries with a signed checkpoint every ``every`` entries."""
    yield bundle_header(size)
    tree = CompactRange()
    checkpoints = 0
    signer = log_signer(ORIGIN)
    for i, data in enumerate(entries):
        h = leaf_hash(data)
        tree.add(h)
        line = {"entry": {"index": i, "data": data.decode(), "leafHash": h.hex()}}
        yield json.dumps(line, ensure_ascii=False, separators=(",", ":"))
        if tree.size % every == 0 or tree.size == size:
            note = sign_checkpoint(Checkpoint(ORIGIN, tree.size, tree.root()), signer)
            checkpoints += 1
            cp = {"size": tree.size, "root": tree.root().hex(), "note": note, "cosigners": []}
            yield json.dumps({"checkpoint": cp})
    end = {"entries": size, "checkpoints": checkpoints, "anchors": None, "ballots": 0}
    yield json.dumps({"end": end})
