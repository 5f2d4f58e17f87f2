"""A disclosure bundle's publishers and witnesses count only while the street office's
signed data says they were in force: a publisher's entry signed before its role began or
after it ended (or after a new registration dropped the member) is refused; a witness's
cosignature made while no registration in force named it counts for nothing."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from identity.community.committee import (
    Member,
    RegistrationChain,
    ServerKeys,
    WitnessKey,
    build_registration,
    registration_hash,
    sign_registration,
)
from identity.community.issuance import role_credential
from identity.w3c.credential import sign_credential
from identity.w3c.dataintegrity import sign_json
from identity.w3c.keys import KeyPair
from ledger.disclosure.bundle_export import BUNDLE_FORMAT
from ledger.disclosure.bundle_verify import BundleError, BundleReport, verify_bundle
from ledger.disclosure.in_force import Publishers, witness_in_force
from ledger.tlog.checkpoint import Checkpoint, add_signature_lines, cosign, sign_checkpoint
from ledger.tlog.merkle import leaf_hash
from ledger.tlog.note_keys import CosignatureSigner
from ledger.tlog.records import log_id_of
from ledger.tlog.treefile import CompactRange
from tests import ledger_disclosure_support as s
from voting.spending import ballot_decision

JAN, FEB, MAR, APR = (datetime(2026, m, 1, tzinfo=UTC) for m in (1, 2, 3, 4))
WITNESS = s.COMMITTEE_WITNESS  # registered by the first registration only
FORMER = s.MEMBERS[0]  # a member of the first registration, dropped by the second


def _registrations(second_from: datetime = FEB) -> list[Mapping[str, Any]]:
    """The first registration (all of `s.MEMBERS`, both witnesses), and a second from
    `second_from` without `FORMER` and without `WITNESS`."""
    first = s.REGISTRATION
    keys = ServerKeys(s.MANAGER.did.value, s.log_signer(s.ORIGIN).vkey)
    second = build_registration(
        root=s.ROOT.did.value,
        community=s.SLUG,
        sequence=2,
        previous=registration_hash(first),
        members=[
            Member(k.did.value, "chair" if i == 0 else "member")
            for i, k in enumerate(s.MEMBERS[1:])
        ],
        server=keys,
        valid_from=second_from,
        valid_until=s.TERM[1],
        witnesses=[WitnessKey(s.STREET_WITNESS.vkey, "street_office")],
    )
    return [first, sign_registration(second, s.ROOT, created=second_from)]


def _role(start: datetime, until: datetime | None = None, n: int = 1) -> dict[str, Any]:
    unsigned = role_credential(
        root=s.ROOT.did.value,
        holder=s.MANAGER.did.value,
        community_id=s.SLUG,
        role="propertyManager",
        valid_from=start,
        valid_until=until,
        credential_id=f"urn:uuid:6f1c1d9e-3f1a-4c55-9a55-1f0c3e7b2a{n:02d}",
    )
    return sign_credential(unsigned, s.ROOT, created=start)


def _entry(key: KeyPair, created: datetime | None, title: str = "合同") -> bytes:
    doc = {"type": "Disclosure", "log": s.ORIGIN, "kind": "Attachment", "publisher": key.did.value}
    body = {"body": s.attachment(title)}
    signed = (
        sign_json(doc | body, key)
        if created is None
        else sign_json(doc | body, key, created=created)
    )
    return s.raw(signed)


@dataclass
class Bundle:
    """A bundle built line by line: entries, then checkpoints cosigned at given times."""

    roles: list[Mapping[str, Any]] = field(default_factory=lambda: [_role(s.TERM[0])])
    registrations: list[Mapping[str, Any]] = field(default_factory=_registrations)
    lines: list[str] = field(default_factory=list)
    tree: CompactRange = field(default_factory=CompactRange)
    checkpoints: int = 0

    def add(self, data: bytes) -> None:
        h = leaf_hash(data)
        line = {"entry": {"index": self.tree.size, "data": data.decode(), "leafHash": h.hex()}}
        self.tree.add(h)
        self.lines.append(json.dumps(line, ensure_ascii=False))

    def checkpoint(self, *cosigned: tuple[CosignatureSigner, datetime]) -> None:
        signer = s.log_signer(s.ORIGIN)
        note = sign_checkpoint(Checkpoint(s.ORIGIN, self.tree.size, self.tree.root()), signer)
        cosigners, extra = [], []
        for witness, at in cosigned:
            w = CosignatureSigner(witness.name, _SEEDS[witness.name], clock=_clock(at))
            extra.append(cosign(note, origin=s.ORIGIN, log_verifier=signer.verifier(), cosigner=w))
            cosigners.append({"witness": w.name, "vkey": w.vkey, "timestamp": int(at.timestamp())})
        cp = {
            "size": self.tree.size,
            "root": self.tree.root().hex(),
            "note": add_signature_lines(note, extra) if extra else note,
            "cosigners": cosigners,
        }
        self.lines.append(json.dumps({"checkpoint": cp}))
        self.checkpoints += 1

    def text(self) -> list[str]:
        header = {
            "format": BUNDLE_FORMAT,
            "origin": s.ORIGIN,
            "logId": log_id_of(s.ORIGIN).hex(),
            "logKey": s.log_signer(s.ORIGIN).vkey,
            "size": self.tree.size,
            "publishers": [],
            "witnesses": [],
            "registrations": self.registrations,
            "roles": self.roles,
            "chain": None,
        }
        end = {
            "entries": self.tree.size,
            "checkpoints": self.checkpoints,
            "anchors": None,
            "ballots": 0,
        }
        return [json.dumps(header, ensure_ascii=False), *self.lines, json.dumps({"end": end})]


def _clock(at: datetime) -> Callable[[], int]:
    return lambda: int(at.timestamp())


_SEEDS = {s.COMMITTEE_WITNESS.name: bytes(range(5, 37)), s.STREET_WITNESS.name: bytes(range(6, 38))}


def _verify(bundle: Bundle, tmp: Path, **kw: Any) -> BundleReport:
    work = tmp / f"work{len(list(tmp.iterdir()))}"
    return verify_bundle(
        bundle.text(),
        workdir=work,
        trust=s.trust(),
        anchor=None,
        offline=True,
        read_ballot=ballot_decision,
        **kw,
    )


def _one(data: bytes, *cosigned: tuple[CosignatureSigner, datetime], **kw: Any) -> Bundle:
    b = Bundle(**kw)
    b.add(data)
    b.checkpoint(*cosigned)
    return b


def test_entries_in_term_verify(tmp_path: Path) -> None:
    b = Bundle(roles=[_role(JAN, APR)])
    b.add(_entry(s.MANAGER, FEB))
    b.add(_entry(FORMER, JAN + timedelta(days=10), "纪要"))  # a member before the change
    b.add(_entry(s.MANAGER, None, "无日期"))
    b.checkpoint((s.STREET_WITNESS, FEB + timedelta(days=10)))
    report = _verify(b, tmp_path)
    assert report.entries == 3
    text = "\n".join(report.lines)
    assert f"witness {s.STREET_WITNESS.name} [street_office]: 1 " in text
    assert "1 publishers' entries carry no signing time" in text


@pytest.mark.parametrize(
    ("role", "key", "created", "why"),
    [
        ((MAR, None), s.MANAGER, FEB, "signed before the role began"),
        ((JAN, FEB), s.MANAGER, MAR, "signed after the role ended"),
        ((JAN, None), FORMER, MAR, "a former member after the new registration"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_an_entry_signed_out_of_term_is_refused(
    tmp_path: Path,
    role: tuple[datetime, datetime | None],
    key: KeyPair,
    created: datetime,
    why: str,
) -> None:
    b = _one(_entry(key, created), roles=[_role(*role)])
    with pytest.raises(BundleError, match="held no publisher's term when it signed") as caught:
        _verify(b, tmp_path)
    assert "签署时不在发布人任期内" in caught.value.zh, why


def test_a_later_role_credential_supersedes_the_earlier(tmp_path: Path) -> None:
    """The same holder's next credential (from MAR, to APR) ends the first (no end) at MAR."""
    roles = [_role(JAN, None, 1), _role(MAR, APR, 2)]
    assert _verify(_one(_entry(s.MANAGER, FEB), roles=roles), tmp_path).entries == 1
    with pytest.raises(BundleError, match="held no publisher's term"):
        _verify(_one(_entry(s.MANAGER, APR + timedelta(days=1)), roles=roles), tmp_path)


def test_an_undated_entry_before_the_role_began_is_caught_by_the_witness_time(
    tmp_path: Path,
) -> None:
    """Without a ``created``, the witness's cosignature bounds the entry's time."""
    b = _one(_entry(s.MANAGER, None), (s.STREET_WITNESS, FEB), roles=[_role(MAR)])
    with pytest.raises(BundleError, match="term began only after a witness cosigned"):
        _verify(b, tmp_path)
    # Seen by a witness after the role began: it verifies.
    b = _one(_entry(s.MANAGER, None), (s.STREET_WITNESS, APR), roles=[_role(MAR)])
    assert _verify(b, tmp_path).entries == 1


def test_an_entry_dated_after_the_witness_saw_it_is_refused(tmp_path: Path) -> None:
    """A publisher whose role began later cannot post-date an entry into its term: the
    witness saw the entry before that date."""
    b = _one(_entry(s.MANAGER, MAR), (s.STREET_WITNESS, FEB), roles=[_role(MAR)])
    with pytest.raises(BundleError, match="after a witness cosigned checkpoint 1"):
        _verify(b, tmp_path)


def test_the_clocks_may_disagree_by_the_skew(tmp_path: Path) -> None:
    early = _one(_entry(s.MANAGER, MAR - timedelta(minutes=2)), roles=[_role(MAR)])
    assert _verify(early, tmp_path).entries == 1  # five minutes by default
    with pytest.raises(BundleError, match="held no publisher's term"):
        _verify(early, tmp_path, skew=timedelta(0))


def test_a_witness_counts_only_while_a_registration_names_it(tmp_path: Path) -> None:
    b = Bundle()
    b.add(_entry(s.MANAGER, JAN + timedelta(days=3)))
    b.checkpoint((WITNESS, JAN + timedelta(days=5)), (s.STREET_WITNESS, JAN + timedelta(days=5)))
    b.add(_entry(s.MANAGER, FEB + timedelta(days=3), "二月"))
    b.checkpoint((WITNESS, MAR), (s.STREET_WITNESS, MAR))  # WITNESS was dropped from FEB
    report = _verify(b, tmp_path)
    text = "\n".join(report.lines)
    assert f"witness {WITNESS.name} [committee]: 1 " in text
    assert f"witness {s.STREET_WITNESS.name} [street_office]: 2 " in text
    assert (
        f"checkpoint 2: witness {WITNESS.name}'s cosignature at 2026-03-01T00:00:00Z does "
        "not count" in text
    )


def test_a_witness_not_yet_registered_does_not_bound_the_time(tmp_path: Path) -> None:
    """Only counted cosignatures date the entries: one before any registration (the term
    begins 2025-01-01) is not taken as the moment the entry was seen."""
    early = datetime(2024, 6, 1, tzinfo=UTC)
    b = _one(_entry(s.MANAGER, JAN), (WITNESS, early))
    report = _verify(b, tmp_path)
    assert "does not count" in "\n".join(report.lines)


def test_in_force_lookups() -> None:
    chain = RegistrationChain.of(_registrations(), s.ROOTS, s.SLUG)
    terms = Publishers.of(chain, [_role(MAR, APR)], s.ROOTS)
    assert terms.role_at(FORMER.did.value, JAN) == "committee"
    assert terms.role_at(FORMER.did.value, MAR) is None
    assert terms.role_at(s.MANAGER.did.value, FEB) is None
    assert terms.role_at(s.MANAGER.did.value, MAR) == "property_manager"
    assert terms.role_at(s.MANAGER.did.value, APR) is None
    assert terms.began_by(s.MANAGER.did.value, MAR) and not terms.began_by(s.MANAGER.did.value, FEB)
    assert witness_in_force(chain, WITNESS.vkey, JAN)
    assert not witness_in_force(chain, WITNESS.vkey, MAR)
    assert witness_in_force(chain, s.STREET_WITNESS.vkey, MAR)
