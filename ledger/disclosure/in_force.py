"""Who could publish, and who could witness, at a given moment — from what the pinned roots
signed, never from the bundle's own lists.

A disclosure bundle carries the committee's registrations and the street office's role
credentials; both are signed by a pinned root, so the verifier may read them from the file.
Everything else the header says about publishers and witnesses is the server's word. Terms:

* a member publishes as the committee while the registration in force (the highest-numbered
  one whose term holds the moment, `RegistrationChain.in_force`) lists them — a change of
  members ends a former member's term from the new registration's ``validFrom``;
* a property manager publishes while a role credential the office signed for them holds
  (``validFrom`` ≤ t < ``validUntil``); a later credential for the same holder and role
  supersedes the earlier from its own ``validFrom`` (as the server does on storing it);
* a witness's cosignature counts when the registration in force at its timestamp names
  the witness's key.

Pure logic: the caller hands in the documents and the moments.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from identity.community.committee import RegistrationChain
from identity.community.issuance import check_role
from identity.errors import IdentityError
from identity.w3c.clockskew import NO_SKEW, shifted
from identity.w3c.xsdtime import format_utc
from ledger.disclosure.errors import AuthorityError

PROPERTY_MANAGER_ROLE = "propertyManager"  # the role credential's name for 物业服务人
COMMITTEE = "committee"
PROPERTY_MANAGER = "property_manager"


@dataclass(frozen=True, slots=True)
class Term:
    """One stretch of time a DID could publish in `role`: [start, end)."""

    role: str
    start: datetime
    end: datetime

    def holds(self, at: datetime, skew: timedelta = NO_SKEW) -> bool:
        return shifted(self.start, -skew) <= at < shifted(self.end, skew)

    def text(self) -> str:
        return f"{format_utc(self.start)}–{format_utc(self.end)}"


@dataclass(frozen=True)
class Publishers:
    """The publishers' terms, derived from the registrations and the role credentials."""

    chain: RegistrationChain
    managers: Mapping[str, tuple[Term, ...]]

    @classmethod
    def of(
        cls, chain: RegistrationChain, roles: Sequence[object], roots: Collection[str]
    ) -> Publishers:
        """Check each role credential against `roots` (any that fails refuses the lot: a
        bundle carrying a forged one is itself forged) and keep the property managers'."""
        spans: dict[str, list[tuple[datetime, datetime]]] = {}
        for i, doc in enumerate(roles):
            try:
                view, holder, role = check_role(doc, roots=roots, community=chain.community)
            except IdentityError as exc:
                raise AuthorityError(
                    f"第 {i + 1} 份角色凭证：{exc.zh}", f"role credential {i + 1}: {exc.en}"
                ) from exc
            if role != PROPERTY_MANAGER_ROLE:
                continue
            if view.valid_from is None:
                raise AuthorityError(
                    f"第 {i + 1} 份角色凭证缺少 validFrom",
                    f"role credential {i + 1} has no validFrom",
                )
            until = view.valid_until or datetime.max.replace(tzinfo=view.valid_from.tzinfo)
            spans.setdefault(holder, []).append((view.valid_from, until))
        managers: dict[str, tuple[Term, ...]] = {}
        for holder, held in spans.items():
            held.sort()
            # The next credential for the same holder supersedes this one from its start.
            ends = [
                min(end, held[k + 1][0]) if k + 1 < len(held) else end
                for k, (_, end) in enumerate(held)
            ]
            starts = [start for start, _ in held]
            managers[holder] = tuple(
                Term(PROPERTY_MANAGER, a, b) for a, b in zip(starts, ends, strict=True)
            )
        return cls(chain, managers)

    def ever(self) -> dict[str, str]:
        """Every DID that could publish at some time, with its role (the committee first)."""
        out = {did: COMMITTEE for reg in self.chain.registrations for did in reg.member_dids}
        for did in self.managers:
            out.setdefault(did, PROPERTY_MANAGER)
        return out

    def terms(self, did: str) -> list[Term]:
        """`did`'s terms, oldest first (for messages)."""
        regs = self.chain.registrations
        out = []
        for reg in regs:
            if did in reg.member_dids:
                later = self.chain.superseded_at(reg)
                end = reg.valid_until if later is None else min(reg.valid_until, later)
                out.append(Term(COMMITTEE, reg.valid_from, end))
        return sorted([*out, *self.managers.get(did, ())], key=lambda t: t.start)

    def role_at(self, did: str, at: datetime, skew: timedelta = NO_SKEW) -> str | None:
        """The role `did` could publish in at `at` (None: none then). The committee's is
        the registration in force's, looked up at `at` and at its ends within `skew`."""
        for moment in (at, shifted(at, -skew), shifted(at, skew)):
            reg = self.chain.in_force(moment)
            if reg is not None and did in reg.member_dids:
                return COMMITTEE
        if any(t.holds(at, skew) for t in self.managers.get(did, ())):
            return PROPERTY_MANAGER
        return None

    def began_by(self, did: str, at: datetime, skew: timedelta = NO_SKEW) -> bool:
        """Whether one of `did`'s terms had begun by `at` (an entry whose own time is not
        known, but which a witness saw at `at`, cannot be older than that)."""
        return any(shifted(t.start, -skew) <= at for t in self.terms(did))


def witness_in_force(chain: RegistrationChain, vkey: str, at: datetime) -> bool:
    """Whether the registration in force at `at` names the witness key `vkey`."""
    reg = chain.in_force(at)
    return reg is not None and any(w.vkey == vkey for w in reg.witnesses)


def terms_text(terms: Sequence[Term]) -> tuple[str, str]:
    """(中文, English) of a DID's terms, for a refusal."""
    if not terms:
        return "无任期", "no term"
    listed = ", ".join(f"{t.role} {t.text()}" for t in terms)
    return f"任期：{listed}", f"terms: {listed}"
