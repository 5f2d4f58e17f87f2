"""A committee decision as a verifier finds it in a log: checked against the whole chain.

The server checks a decision against the registration in force *now* as shares come in; a
verifier, later, has only the appended document and the community's registrations (signed
by the street office, checked against the pinned roots). It accepts the decision when

* the registration it names is one of the chain's (`RegistrationChain.by_hash`),
* its proof set suffices under that registration (`committee.check_decision`: members
  only, each once, over exactly this document, more than the rule's fraction), and
* that registration was the one in force at the decision's time — the latest ``created``
  among the counted proofs (`Decided.at`) — so members who were replaced (换届, a
  resignation) cannot decide after the new registration took over, even together.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from identity.community.committee import (
    Decided,
    DecisionError,
    RegistrationChain,
    check_decision,
)
from identity.w3c.xsdtime import format_utc


class NotInForce(DecisionError):
    """The registration a decision names was not the one in force when it was made."""


def verify_logged_decision(document: Mapping[str, Any], chain: RegistrationChain) -> Decided:
    """`document` (with its proof set) is a decision of `chain`'s committee in force then."""
    named = document.get("registration")
    if not isinstance(named, str):
        raise NotInForce("决定未写明所依据的业委会备案", "the decision names no registration")
    registration = chain.by_hash(named)
    decided = check_decision(document, registration)
    if decided.at is None:
        raise NotInForce(
            "委员签名未写明签名时间", "the members' signatures state no time (created)"
        )
    current = chain.in_force(decided.at)
    if current is None or current.hash != registration.hash:
        then_zh = f"第 {current.sequence} 号备案" if current is not None else "没有任何备案"
        then_en = f"registration {current.sequence}" if current is not None else "no registration"
        raise NotInForce(
            f"决定签于 {format_utc(decided.at)}，其所引第 {registration.sequence} 号备案"
            f"当时不在任期内（当时有效的是{then_zh}）",
            f"the decision was signed at {format_utc(decided.at)}, when its registration "
            f"{registration.sequence} was not in force ({then_en} was)",
        )
    return decided
