"""One-time enrolment codes, and redeeming one to bind an owner's (or member's) new DID.

After the register is imported the committee hands each designated holder (表决人) a code
on paper, usually as a QR code. The code is 20 Crockford base-32 characters (100 random
bits, grouped ``XXXXX-XXXXX-XXXXX-XXXXX``), contains nothing personal, is stored only as a
SHA-256 hash, expires, and is used at most once. One code covers every unit its person
votes for, so a buyer of several units gets one identity holding all of them.

Redeeming: the owner's device makes a key pair that never leaves it and sends a document
signed with it (VC Data Integrity, ``proofPurpose: authentication``, ``domain`` = the
server's public origin — vc-data-integrity §2.1 ``domain`` binds the proof to this site)::

    {"type": "EnrolmentRedemption", "code": "…", "holder": "did:key:z…", "proof": {…}}

The proof shows the device holds the DID's key, and covers the code so nobody can bind a
code to a key they do not hold. The server then records the DID and queues the ownership
credential for a registered committee member to sign (`issuance.queue_ownership`). A
member's code only records the member's DID: the street office's registration (业委会备案)
is what makes a committee member.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session, aliased

from identity.community import issuance
from identity.community.committee import ROLES
from identity.community.issuance import Issuers, aware
from identity.community.models import Community, EnrolmentCode, IssuedCredential, Person, Unit
from identity.community.typed import typed
from identity.errors import IdentityError, explain
from identity.w3c.dataintegrity import verify_signed_json
from identity.w3c.failures import VerificationError

# Crockford base 32: no I, L, O, U, so what is read off paper is typed back unambiguously.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ_AS = {"O": "0", "I": "1", "L": "1"}
CODE_LENGTH = 20
GROUP = 5
DEFAULT_VALIDITY = timedelta(days=30)
MAX_VALIDITY = timedelta(days=90)
OWNER, MEMBER = "owner", "member"
REDEMPTION_TYPE = "EnrolmentRedemption"


class EnrolmentError(IdentityError):
    """An enrolment code that cannot be issued or redeemed (unknown, used, expired…)."""


@dataclass(frozen=True)
class IssuedCode:
    """A code as handed out once: the plain code exists only here, never in the database."""

    code: str
    kind: str
    units: tuple[str, ...]
    role: str | None
    expires_at: datetime


@dataclass(frozen=True)
class Redeemed:
    """What the device keeps: its DID, its credentials, and the chain that backs them."""

    did: str
    kind: str
    credentials: tuple[IssuedCredential, ...]


def new_code() -> str:
    bits = secrets.randbits(5 * CODE_LENGTH)  # one draw, then 5 bits per character
    raw = "".join(ALPHABET[(bits >> (5 * i)) & 31] for i in range(CODE_LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, CODE_LENGTH, GROUP))


def normalise_code(value: object) -> str:
    """The canonical grouped form of a typed or scanned code; `EnrolmentError` if malformed.

    The message never repeats what was typed: a near-miss of a real code is still a secret.
    """
    if not isinstance(value, str) or len(value) > 64:
        raise EnrolmentError("登记码格式无效", "the enrolment code is malformed")
    # Full-width, spaced or pasted with invisible characters, it is the same code (`typed`).
    raw = "".join(_READ_AS.get(c, c) for c in typed(value).upper() if c != "-")
    if len(raw) != CODE_LENGTH or any(c not in ALPHABET for c in raw):
        raise EnrolmentError(
            f"登记码应为 {CODE_LENGTH} 位字母数字",
            f"the enrolment code must be {CODE_LENGTH} letters and digits",
        )
    return "-".join(raw[i : i + GROUP] for i in range(0, CODE_LENGTH, GROUP))


def code_hash(code: str) -> str:
    """SHA-256 of the normalised code; 100 random bits need no slow hash to resist guessing."""
    return hashlib.sha256(b"gongzhi enrolment code v1\x00" + code.encode()).hexdigest()


def _validity(valid_for: timedelta) -> timedelta:
    if not timedelta(minutes=10) <= valid_for <= MAX_VALIDITY:
        raise EnrolmentError(
            "登记码有效期须在10分钟到90天之间", "a code must be valid for 10 minutes to 90 days"
        )
    return valid_for


def cancel_outstanding(session: Session, *, person: Person, now: datetime) -> None:
    """Only the newest code of a person works: older unused ones are cancelled."""
    session.execute(
        update(EnrolmentCode)
        .where(
            EnrolmentCode.person_id == person.id,
            EnrolmentCode.used_at.is_(None),
            EnrolmentCode.cancelled_at.is_(None),
        )
        .values(cancelled_at=now)
    )


def _store(
    session: Session,
    *,
    community: Community,
    kind: str,
    now: datetime,
    valid_for: timedelta,
    person: Person | None = None,
    role: str | None = None,
    units: Sequence[str] = (),
) -> IssuedCode:
    code = new_code()
    expires = now + _validity(valid_for)
    session.add(
        EnrolmentCode(
            code_hash=code_hash(code),
            community_id=community.id,
            kind=kind,
            person_id=person.id if person is not None else None,
            role=role,
            created_at=now,
            expires_at=expires,
        )
    )
    return IssuedCode(code=code, kind=kind, units=tuple(units), role=role, expires_at=expires)


def owner_code(
    session: Session,
    *,
    community: Community,
    person: Person,
    now: datetime,
    valid_for: timedelta = DEFAULT_VALIDITY,
) -> IssuedCode:
    """A fresh code for one designated holder, or a guardian (监护人) who votes for an owner
    (older unused codes of theirs stop working). An owner whose guardian votes gets none."""
    if person.guardian_id is not None:
        raise EnrolmentError(
            "该业主由监护人代为表决，登记码应发给监护人",
            "this owner's guardian votes for them: issue the code to the guardian",
        )
    units = [u.unit_no for u in issuance.voted_units(session, person)]
    if not units:
        raise EnrolmentError(
            "此人既不是任何房屋的表决人，也不是表决人的监护人",
            "this person is neither the designated holder of a unit nor a holder's guardian",
        )
    cancel_outstanding(session, person=person, now=now)
    code = _store(
        session,
        community=community,
        kind=OWNER,
        now=now,
        valid_for=valid_for,
        person=person,
        units=units,
    )
    session.flush()
    return code


def owner_codes(
    session: Session,
    *,
    community: Community,
    now: datetime,
    units: Collection[str] | None = None,
    valid_for: timedelta = DEFAULT_VALIDITY,
) -> list[IssuedCode]:
    """Codes for the voters of `units` (default: every voter who has not enrolled yet).

    A unit's voter is its holder, or the holder's guardian (监护人) when one is named: the
    guardian's code covers the ward's units, and the ward gets none. A unit whose voter
    already has a DID is refused when named: that person needs the recovery procedure (the
    old key must be revoked first), not a second identity.
    """
    _validity(valid_for)
    # Columns, not ORM objects: loading 10,000 units and their holders as instances (and
    # then having every UPDATE synchronise them) cost seconds.
    guardian = aliased(Person)
    rows = [
        (unit_no, holder, did) if guardian_id is None else (unit_no, guardian_id, guardian_did)
        for unit_no, holder, did, guardian_id, guardian_did in session.execute(
            select(Unit.unit_no, Person.id, Person.did, Person.guardian_id, guardian.did)
            .join(Person, Unit.holder_id == Person.id)
            .outerjoin(guardian, Person.guardian_id == guardian.id)
            .where(Unit.community_id == community.id)
            .order_by(Unit.unit_no)
        )
    ]
    by_unit = {unit_no: (person_id, did) for unit_no, person_id, did in rows}
    if units is None:
        wanted = [person_id for _, person_id, did in rows if did is None]
    else:
        units = [typed(u) for u in units]  # "１-１-１０１" as typed is the register's 1-1-101
        unknown = sorted(set(units) - set(by_unit))
        if unknown:
            raise EnrolmentError(
                "本小区没有这些房号",
                f"no such units in this community: {', '.join(unknown)[:200]}",
            )
        enrolled = sorted(u for u in units if by_unit[u][1] is not None)
        if enrolled:
            raise EnrolmentError(
                "这些房屋的表决人已登记，如手机丢失请走挂失补办",
                f"the holders of these units "
                f"have enrolled already (use recovery for a lost phone): "
                f"{', '.join(enrolled)[:200]}",
            )
        wanted = [by_unit[u][0] for u in sorted(set(units))]
    held: dict[int, list[str]] = {}
    for unit_no, person_id, _ in rows:  # rows are in unit order, so each list is too
        held.setdefault(person_id, []).append(unit_no)
    people = list(dict.fromkeys(wanted))  # one code per person, in unit order
    return _issue_owner_codes(
        session, community=community, people=people, held=held, now=now, valid_for=valid_for
    )


_IN_CHUNK = 500  # ids per ``IN (…)``: below SQLite's and PostgreSQL's parameter limits


def _issue_owner_codes(
    session: Session,
    *,
    community: Community,
    people: Sequence[int],
    held: Mapping[int, Sequence[str]],
    now: datetime,
    valid_for: timedelta,
) -> list[IssuedCode]:
    """One code per person (by id), in a bounded number of statements whatever their number.

    The same effect as `owner_code` per person (older unused codes cancelled, one new code
    each), but one ``UPDATE … IN`` per chunk and one multi-row ``INSERT`` instead of three
    statements and a flush per person: 10,000 holders took minutes that way.
    """
    expires = now + _validity(valid_for)
    ids = list(people)
    for at in range(0, len(ids), _IN_CHUNK):
        session.execute(
            update(EnrolmentCode)
            .where(
                EnrolmentCode.person_id.in_(ids[at : at + _IN_CHUNK]),
                EnrolmentCode.used_at.is_(None),
                EnrolmentCode.cancelled_at.is_(None),
            )
            .values(cancelled_at=now)
        )
    codes = [new_code() for _ in people]
    rows = [
        {
            "code_hash": code_hash(code),
            "community_id": community.id,
            "kind": OWNER,
            "person_id": person_id,
            "role": None,
            "created_at": now,
            "expires_at": expires,
        }
        for code, person_id in zip(codes, people, strict=True)
    ]
    if rows:
        session.execute(insert(cast(Table, EnrolmentCode.__table__)), rows)  # Core, not ORM bulk
    return [
        IssuedCode(
            code=code, kind=OWNER, units=tuple(held[person_id]), role=None, expires_at=expires
        )
        for code, person_id in zip(codes, people, strict=True)
    ]


def member_code(
    session: Session,
    *,
    community: Community,
    role: str,
    now: datetime,
    valid_for: timedelta = timedelta(days=7),
) -> IssuedCode:
    """A code that makes whoever redeems it a committee member with `role`."""
    if role not in ROLES:
        raise EnrolmentError(
            f"委员角色须为 {' / '.join(ROLES)}", f"a member role must be one of {', '.join(ROLES)}"
        )
    code = _store(
        session, community=community, kind=MEMBER, now=now, valid_for=valid_for, role=role
    )
    session.flush()
    return code


def _read_answer(answer: object, *, domain: str) -> tuple[str, str]:
    """(normalised code, holder DID) of a redemption whose proof verifies."""
    if not isinstance(answer, Mapping):
        raise EnrolmentError("登记请求须为 JSON 对象", "the redemption must be a JSON object")
    if answer.get("type") != REDEMPTION_TYPE:
        raise EnrolmentError(
            f"登记请求的 type 须为 {REDEMPTION_TYPE}",
            f"the redemption's type must be {REDEMPTION_TYPE}",
        )
    code = normalise_code(answer.get("code"))
    holder = issuance.check_did(answer.get("holder"))
    try:
        verify_signed_json(
            answer,
            expected_signer=holder,
            expected_purpose="authentication",
            domain=domain,
        )
    except VerificationError as exc:
        raise EnrolmentError(
            *explain(
                f"登记请求的签名无效（{exc.reason}）",
                f"the redemption's proof is not valid ({exc.reason})",
                exc,
            )
        ) from exc
    return code, holder


def redeem(
    session: Session,
    *,
    answer: Mapping[str, Any],
    domain: str,
    issuers: Issuers,
    now: datetime,
) -> Redeemed:
    """Check the signed redemption, use the code once, bind the DID, queue the credential."""
    code, holder = _read_answer(answer, domain=domain)
    row = session.scalar(select(EnrolmentCode).where(EnrolmentCode.code_hash == code_hash(code)))
    if row is None:
        raise EnrolmentError("登记码不存在", "unknown enrolment code")
    if row.used_at is not None:
        raise EnrolmentError("登记码已被使用", "the enrolment code has been used already")
    if row.cancelled_at is not None:
        raise EnrolmentError(
            "登记码已作废（已补发新码）",
            "the enrolment code was cancelled (a newer one was issued)",
        )
    if now >= aware(row.expires_at):
        raise EnrolmentError("登记码已过期，请向业委会申请新码", "the enrolment code has expired")
    community = session.get(Community, row.community_id)
    if community is None:  # the foreign key makes this impossible; narrow the type
        raise EnrolmentError("登记码不存在", "unknown enrolment code")
    # The conditional update makes "used at most once" hold under concurrent redemptions.
    claimed = session.execute(
        update(EnrolmentCode)
        .where(EnrolmentCode.id == row.id, EnrolmentCode.used_at.is_(None))
        .values(used_at=now, used_by_did=holder)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise EnrolmentError("登记码已被使用", "the enrolment code has been used already")
    if row.kind == MEMBER:
        # No credential makes a committee member: the DID is recorded with the code (its
        # `used_by_did`), and the member becomes one when the street office registers it.
        return Redeemed(did=holder, kind=MEMBER, credentials=())
    person = session.get(Person, row.person_id) if row.person_id is not None else None
    if person is None:
        raise EnrolmentError("登记码不存在", "unknown enrolment code")
    if person.did is not None:
        raise EnrolmentError(
            "该业主已绑定身份，如手机丢失请走挂失补办",
            "this owner has enrolled already (use recovery for a lost phone)",
        )
    taken = session.scalar(select(Person.id).where(Person.did == holder))
    if taken is not None:
        raise EnrolmentError(
            "这个 DID 已绑定另一位业主，请在设备上生成新密钥",
            "this DID is bound to another owner; make a new key on the device",
        )
    person.did = holder
    session.flush()
    # One credential per census row the DID will carry: the person's own, and a guardian's
    # for each ward (held as guardian, the ward's units and area).
    credentials = issuance.queue_voting(
        session, community=community, person=person, issuers=issuers, now=now
    )
    return Redeemed(did=holder, kind=OWNER, credentials=tuple(credentials))
