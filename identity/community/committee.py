"""The owners' committee as the street office registers it, and the decisions it signs.

* A **registration** (业委会备案) is a VC 2.0 ``CommitteeRegistrationCredential`` signed by a
  street-office root: the community, the members' DIDs and roles, the term
  (``validFrom``/``validUntil``), the decision rule, and the keys of the server that hosts
  the community (``server.statusIssuer``, ``server.disclosureLogKey``). Registrations form
  a chain — sequence 1, 2, … each naming the SHA-256 of the one before — so a change of
  members (换届, a resignation) is a new registration, and the one in force at time t is the
  highest sequence whose term holds t.
* A **decision** is the very document a log keeps (``BallotOpened``, ``BallotResult`` …),
  naming the registration it is made under and carrying a W3C Data Integrity *proof set*
  (VC Data Integrity §2.1.2): one independent proof per member over the document without
  ``proof``. It takes effect once more than the registration's fraction of *all* registered
  members have signed (业主委员会作出的决定须经全体委员半数以上同意).

Pure: no I/O, no clock; callers pass the time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from identity.errors import IdentityError
from identity.w3c.contexts import GONGZHI_V1_CONTEXT
from identity.w3c.credential import build_credential, parse_credential
from identity.w3c.dataintegrity import CanonicalForms, add_proof, unsecured, verify_proof
from identity.w3c.didkey import Did
from identity.w3c.failures import VerificationError
from identity.w3c.jcs import canonical
from identity.w3c.keys import KeyPair

REGISTRATION = "CommitteeRegistrationCredential"
REGISTRATION_SUBJECT = "CommitteeRegistration"
ROLES = ("chair", "viceChair", "member")
MAX_MEMBERS = 25
DEFAULT_RULE = Fraction(1, 2)
_SUBJECT_KEYS = {
    "type",
    "communityId",
    "sequence",
    "previous",
    "members",
    "decisionRule",
    "server",
    "witnesses",
}
WITNESS_ROLES = ("committee", "street_office")
MAX_WITNESSES = 16


class DecisionError(IdentityError):
    """A registration or a decision was refused; ``zh`` and ``en`` say why."""


class RegistrationError(DecisionError):
    """A registration is malformed, not signed by a trusted root, or out of its chain."""


class NotAMember(DecisionError):
    """A share is signed by someone the registration in force does not list."""


class DuplicateShare(DecisionError):
    """A member signed the same decision twice."""


class NotEnoughShares(DecisionError):
    """Fewer members signed than the decision rule needs."""


class WrongDocument(DecisionError):
    """A share or a decision does not belong to the document, registration or community."""


@dataclass(frozen=True, slots=True)
class Member:
    did: str
    role: str


@dataclass(frozen=True, slots=True)
class WitnessKey:
    """A witness of the community's disclosure log the office registers: its C2SP
    cosignature/v1 verifier key (``name+hash+base64``) and who holds it."""

    vkey: str
    role: str


@dataclass(frozen=True, slots=True)
class ServerKeys:
    """What the office registers about the server hosting the community."""

    status_issuer: str
    disclosure_log_key: str


@dataclass(frozen=True, slots=True)
class Registration:
    """A verified registration: who the committee is, and from when to when."""

    hash: str
    community: str
    sequence: int
    previous: str | None
    members: tuple[Member, ...]
    rule: Fraction
    valid_from: datetime
    valid_until: datetime
    root: str
    server: ServerKeys
    document: Mapping[str, Any]
    witnesses: tuple[WitnessKey, ...] = ()

    @property
    def member_dids(self) -> frozenset[str]:
        return frozenset(m.did for m in self.members)

    @property
    def needed(self) -> int:
        """The fewest distinct members whose signatures make a decision."""
        n = len(self.members)
        return int(self.rule * n) + 1

    def holds(self, at: datetime) -> bool:
        return self.valid_from <= at < self.valid_until


def registration_hash(credential: Mapping[str, Any]) -> str:
    """Lowercase hex SHA-256 of the RFC 8785 form of the whole signed registration."""
    return hashlib.sha256(canonical(dict(credential))).hexdigest()


def _did(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise RegistrationError(f"{where} 不是 DID", f"{where} is not a DID")
    try:
        return Did.parse(value).value
    except IdentityError as exc:
        raise RegistrationError(
            f"{where} 不是有效的 did:key", f"{where} is not a valid did:key: {exc}"
        ) from exc


def _rule(value: object) -> Fraction:
    if not isinstance(value, Mapping) or set(value) != {"numerator", "denominator"}:
        raise RegistrationError(
            "decisionRule 须为 {numerator, denominator}",
            "decisionRule must be {numerator, denominator}",
        )
    num, den = value["numerator"], value["denominator"]
    if (
        not all(isinstance(x, int) and not isinstance(x, bool) for x in (num, den))
        or not 0 < num < den <= 100
    ):
        raise RegistrationError(
            "decisionRule 须为 0 与 1 之间的分数，分母不超过100",
            "decisionRule must be a fraction between 0 and 1 with a denominator of at most 100",
        )
    return Fraction(num, den)


def _members(value: object) -> tuple[Member, ...]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_MEMBERS:
        raise RegistrationError(
            f"members 须列出1至{MAX_MEMBERS}名委员", f"members must list 1 to {MAX_MEMBERS} members"
        )
    members: list[Member] = []
    for i, item in enumerate(value):
        if not isinstance(item, Mapping) or set(item) != {"id", "role"}:
            raise RegistrationError(
                f"members[{i}] 须为 {{id, role}}", f"members[{i}] must be {{id, role}}"
            )
        if item["role"] not in ROLES:
            raise RegistrationError(
                f"members[{i}].role 须为 {'、'.join(ROLES)} 之一",
                f"members[{i}].role must be one of {', '.join(ROLES)}",
            )
        members.append(Member(_did(item["id"], f"members[{i}].id"), str(item["role"])))
    if len({m.did for m in members}) != len(members):
        raise RegistrationError("同一委员不能登记两次", "a member is listed twice")
    if sum(m.role == "chair" for m in members) != 1:
        raise RegistrationError("须有且仅有一名主任", "exactly one member must be the chair")
    return tuple(members)


def _server(value: object) -> ServerKeys:
    if not isinstance(value, Mapping) or set(value) != {"statusIssuer", "disclosureLogKey"}:
        raise RegistrationError(
            "server 须为 {statusIssuer, disclosureLogKey}",
            "server must be {statusIssuer, disclosureLogKey}",
        )
    key = value["disclosureLogKey"]
    if not isinstance(key, str) or not 0 < len(key) <= 400 or "+" not in key:
        raise RegistrationError(
            "server.disclosureLogKey 不是签名笔记公钥", "server.disclosureLogKey is not a note key"
        )
    return ServerKeys(_did(value["statusIssuer"], "server.statusIssuer"), key)


def _witnesses(value: object) -> tuple[WitnessKey, ...]:
    """The registration's witnesses (none when it names none). The key's form is checked by
    whoever uses it (`ledger.tlog.note_keys.parse_vkey`): identity knows no note format."""
    if value is None:
        return ()
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_WITNESSES:
        raise RegistrationError(
            f"witnesses 须列出1至{MAX_WITNESSES}名见证人",
            f"witnesses must list 1 to {MAX_WITNESSES} witnesses",
        )
    out: list[WitnessKey] = []
    for i, item in enumerate(value):
        if not isinstance(item, Mapping) or set(item) != {"vkey", "role"}:
            raise RegistrationError(
                f"witnesses[{i}] 须为 {{vkey, role}}", f"witnesses[{i}] must be {{vkey, role}}"
            )
        vkey, role = item["vkey"], item["role"]
        if not isinstance(vkey, str) or not 0 < len(vkey) <= 400 or "+" not in vkey:
            raise RegistrationError(
                f"witnesses[{i}].vkey 不是签名笔记公钥", f"witnesses[{i}].vkey is not a note key"
            )
        if role not in WITNESS_ROLES:
            raise RegistrationError(
                f"witnesses[{i}].role 须为 committee 或 street_office",
                f"witnesses[{i}].role must be committee or street_office",
            )
        out.append(WitnessKey(vkey, str(role)))
    if len({w.vkey for w in out}) != len(out):
        raise RegistrationError("同一见证人不能登记两次", "a witness is listed twice")
    return tuple(out)


def registration_subject(
    *,
    community: str,
    sequence: int,
    members: Sequence[Member],
    server: ServerKeys,
    previous: str | None = None,
    rule: Fraction = DEFAULT_RULE,
    witnesses: Sequence[WitnessKey] = (),
) -> dict[str, Any]:
    subject: dict[str, Any] = {
        "type": REGISTRATION_SUBJECT,
        "communityId": community,
        "sequence": sequence,
        "members": [{"id": m.did, "role": m.role} for m in members],
        "decisionRule": {"numerator": rule.numerator, "denominator": rule.denominator},
        "server": {
            "statusIssuer": server.status_issuer,
            "disclosureLogKey": server.disclosure_log_key,
        },
    }
    if previous is not None:
        subject["previous"] = previous
    if witnesses:  # absent rather than empty: registrations without witnesses keep their hash
        subject["witnesses"] = [{"vkey": w.vkey, "role": w.role} for w in witnesses]
    return subject


def build_registration(
    *,
    root: str,
    community: str,
    sequence: int,
    members: Sequence[Member],
    server: ServerKeys,
    valid_from: datetime,
    valid_until: datetime,
    previous: str | None = None,
    rule: Fraction = DEFAULT_RULE,
    witnesses: Sequence[WitnessKey] = (),
) -> dict[str, Any]:
    """The unsigned registration; `sign_registration` (or the office's own tool) signs it."""
    credential = build_credential(
        issuer=root,
        types=[REGISTRATION],
        subject=registration_subject(
            community=community,
            sequence=sequence,
            members=members,
            server=server,
            previous=previous,
            rule=rule,
            witnesses=witnesses,
        ),
        valid_from=valid_from,
        valid_until=valid_until,
        contexts=[GONGZHI_V1_CONTEXT],
    )
    _subject(credential)  # refuse at once what a verifier would refuse later
    return credential


def sign_registration(
    credential: Mapping[str, Any], root: KeyPair, *, created: datetime
) -> dict[str, Any]:
    return add_proof(credential, root, created=created)


def _subject(credential: Mapping[str, Any]) -> dict[str, Any]:
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping) or subject.get("type") != REGISTRATION_SUBJECT:
        raise RegistrationError("不是业委会备案", "not a committee registration")
    unknown = set(subject) - _SUBJECT_KEYS
    if unknown:
        raise RegistrationError(
            f"备案含未知字段 {sorted(unknown)}",
            f"the registration has unknown fields {sorted(unknown)}",
        )
    community = subject.get("communityId")
    sequence = subject.get("sequence")
    previous = subject.get("previous")
    if not isinstance(community, str) or not community:
        raise RegistrationError("备案缺少 communityId", "the registration names no communityId")
    if not isinstance(sequence, int) or isinstance(sequence, bool) or not 1 <= sequence < 10**6:
        raise RegistrationError(
            "备案序号须为正整数", "the registration's sequence must be a positive integer"
        )
    if (sequence == 1) != (previous is None):
        raise RegistrationError(
            "第1号备案不指向前一备案，其后的备案必须指向前一备案",
            "registration 1 names no previous one; every later one must",
        )
    if previous is not None and (
        not isinstance(previous, str) or len(previous) != 64 or previous.strip("0123456789abcdef")
    ):
        raise RegistrationError(
            "previous 须为64位十六进制哈希", "previous must be a 64-digit hex hash"
        )
    _witnesses(subject.get("witnesses"))
    return dict(subject)


def verify_registration(credential: object, roots: frozenset[str]) -> Registration:
    """A registration signed by one of `roots`, well formed; its term is not checked here."""
    if not isinstance(credential, Mapping):
        raise RegistrationError("备案不是 JSON 对象", "the registration is not a JSON object")
    try:
        view = parse_credential(credential)
        if REGISTRATION not in view.types:
            raise RegistrationError("不是业委会备案", "not a committee registration")
        proof = verify_proof(credential, expected_purpose="assertionMethod")
    except VerificationError as exc:
        raise RegistrationError(
            "备案的签名无效", f"the registration's signature is invalid: {exc}"
        ) from exc
    if proof.controller != view.issuer:
        raise RegistrationError(
            "备案不是由其签发者签名", "the registration is not signed by its issuer"
        )
    if view.issuer not in roots:
        raise RegistrationError(
            "备案不是由受信任的街道办事处签发",
            f"the registration's issuer {view.issuer} is not a trusted root",
        )
    if view.valid_from is None or view.valid_until is None or view.valid_until <= view.valid_from:
        raise RegistrationError(
            "备案须写明任期起止", "the registration must state its term (validFrom < validUntil)"
        )
    subject = _subject(credential)
    return Registration(
        hash=registration_hash(credential),
        community=str(subject["communityId"]),
        sequence=int(subject["sequence"]),
        previous=subject.get("previous"),
        members=_members(subject.get("members")),
        rule=_rule(subject.get("decisionRule")),
        valid_from=view.valid_from,
        valid_until=view.valid_until,
        root=view.issuer,
        server=_server(subject.get("server")),
        document=credential,
        witnesses=_witnesses(subject.get("witnesses")),
    )


@dataclass(frozen=True)
class RegistrationChain:
    """A community's registrations, checked as one chain: 1, 2, … each naming the last."""

    community: str
    registrations: tuple[Registration, ...]

    @classmethod
    def of(
        cls, credentials: Sequence[object], roots: frozenset[str], community: str
    ) -> RegistrationChain:
        return cls.of_verified([verify_registration(c, roots) for c in credentials], community)

    @classmethod
    def of_verified(
        cls, registrations: Sequence[Registration], community: str
    ) -> RegistrationChain:
        """`of` for registrations already verified against the trusted roots (a cache's)."""
        regs = sorted(registrations, key=lambda r: r.sequence)
        if not regs:
            raise RegistrationError(
                f"小区 {community} 没有业委会备案",
                f"community {community} has no committee registration",
            )
        for i, reg in enumerate(regs):
            if reg.community != community:
                raise RegistrationError(
                    f"备案属于另一小区 {reg.community}",
                    f"a registration is for another community, {reg.community}",
                )
            if reg.sequence != i + 1:
                raise RegistrationError(
                    f"备案序号不连续：缺少第 {i + 1} 号",
                    f"the registrations are not consecutive: number {i + 1} is missing",
                )
            if i and reg.previous != regs[i - 1].hash:
                raise RegistrationError(
                    f"第 {reg.sequence} 号备案未指向第 {i} 号",
                    f"registration {reg.sequence} does not name registration {i}",
                )
        return cls(community, tuple(regs))

    def by_hash(self, digest: str) -> Registration:
        for reg in self.registrations:
            if reg.hash == digest:
                return reg
        raise WrongDocument(
            "所引业委会备案不存在", f"no registration {digest[:16]}… of this community"
        )

    def in_force(self, at: datetime) -> Registration | None:
        """The highest-numbered registration whose term holds `at` (None: no committee then)."""
        for reg in reversed(self.registrations):
            if reg.holds(at):
                return reg
        return None

    def superseded_at(self, reg: Registration) -> datetime | None:
        """When the next registration took over from `reg` (None while it is the last)."""
        later = [r.valid_from for r in self.registrations if r.sequence > reg.sequence]
        return min(later) if later else None


# --- decisions -----------------------------------------------------------------------


def decision_share(
    document: Mapping[str, Any], member: KeyPair, *, created: datetime
) -> dict[str, Any]:
    """One member's proof over the decision `document` (which must carry no proof)."""
    body = unsecured(document)
    return dict(add_proof(body, member, created=created)["proof"])


@dataclass(frozen=True, slots=True)
class Share:
    signer: str
    created: datetime | None
    proof: Mapping[str, Any]


def check_share(document: Mapping[str, Any], proof: object, registration: Registration) -> Share:
    """A member of `registration` signed exactly `document` (without its proof)."""
    body = unsecured(document)
    return check_share_of(body, canonical(body), proof, registration)


def check_share_of(
    body: dict[str, Any], body_bytes: bytes, proof: object, registration: Registration
) -> Share:
    """`check_share` given the document without proof and its RFC 8785 bytes, made once per
    decision (a BallotOpened carries the whole census; each member's proof is over the same
    bytes, and the server keeps them)."""
    if not isinstance(proof, Mapping):
        raise WrongDocument("签名不是 JSON 对象", "the signature is not a JSON object")
    if body.get("registration") != registration.hash:
        raise WrongDocument(
            "决定所引备案不是现行备案", "the decision does not name the registration in force"
        )
    signed = body | {"proof": dict(proof)}
    try:
        verified = verify_proof(
            signed,
            expected_purpose="assertionMethod",
            forms=CanonicalForms(signed, b"", body_bytes),
        )
    except VerificationError as exc:
        raise WrongDocument(
            "签名与本决定不符（可能是对另一文件的签名）",
            f"the signature does not hold for this decision (signed for another document?): {exc}",
        ) from exc
    if verified.controller not in registration.member_dids:
        raise NotAMember(
            "签名人不是现任业委会委员",
            f"{verified.controller} is not a registered committee member",
        )
    return Share(verified.controller, verified.created, dict(proof))


@dataclass(frozen=True, slots=True)
class Decided:
    """A decision whose shares suffice: who signed, and when the last needed share came."""

    signers: tuple[str, ...]
    at: datetime | None
    registration: Registration


def proofs_of(document: Mapping[str, Any]) -> list[Any]:
    proof = document.get("proof")
    if isinstance(proof, Mapping):
        return [proof]
    if isinstance(proof, list):
        return proof
    raise WrongDocument("决定没有委员签名", "the decision carries no member signatures")


def collect(
    document: Mapping[str, Any], proofs: Sequence[object], registration: Registration
) -> list[Share]:
    """Check every share; a member signing twice is refused, not counted twice."""
    shares: list[Share] = []
    seen: set[str] = set()
    body = unsecured(document)
    body_bytes = canonical(body)
    for proof in proofs:
        share = check_share_of(body, body_bytes, proof, registration)
        if share.signer in seen:
            raise DuplicateShare("同一委员重复签名", f"{share.signer} signed this decision twice")
        seen.add(share.signer)
        shares.append(share)
    return shares


def enough(count: int, registration: Registration) -> bool:
    """More than the rule's fraction of all registered members (exact, in integers)."""
    n = len(registration.members)
    return count * registration.rule.denominator > registration.rule.numerator * n


def check_decision(document: Mapping[str, Any], registration: Registration) -> Decided:
    """The decision as a log keeps it: its proof set suffices under `registration`."""
    if document.get("community") != registration.community:
        raise WrongDocument("决定不属于本小区", "the decision is not this community's")
    shares = collect(document, proofs_of(document), registration)
    if not enough(len(shares), registration):
        signed, total, needed = len(shares), len(registration.members), registration.needed
        raise NotEnoughShares(
            f"签名委员不足：{signed} 名，需 {needed} 名（全体 {total} 名）",
            f"not enough members signed: {signed} of {total}, {needed} needed",
        )
    times = [s.created for s in shares if s.created is not None]
    return Decided(tuple(s.signer for s in shares), max(times) if times else None, registration)


def with_proofs(document: Mapping[str, Any], proofs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The document as appended: its body and the proof set, in the order they came."""
    return unsecured(document) | {"proof": [dict(p) for p in proofs]}
