"""Every credential gongzhi issues expands as JSON-LD in safe mode, offline.

gongzhi's cryptosuites (eddsa-jcs-2022, ecdsa-jcs-2019) never expand contexts, but a verifier
that does (an RDFC suite, a JSON-LD-aware wallet) runs in *safe mode*: it refuses a document
in which a property would be dropped or a type or id would stay a relative IRI, because a
signature over such a document does not cover what it appears to say. PyLD (3.3.0) has no
safe-mode switch, so `safe_expand` applies the same two rules to PyLD's expansion: its
``on_property_dropped`` hook raises, and the expanded output may hold no relative IRI. The
document loader serves only the two contexts gongzhi's credentials name, from local files;
any other URL is an error, so nothing touches the network.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

from identity.community import issuance, trust
from identity.community.committee import REGISTRATION
from identity.w3c import statuslist
from identity.w3c.contexts import GONGZHI_V1_CONTEXT, VC_V2_CONTEXT, gongzhi_context
from identity.w3c.credential import build_credential, sign_credential
from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests.identity_support import COMMUNITY, T0, VECTORS, World, make_world

CONTEXTS: dict[str, Any] = {
    VC_V2_CONTEXT: json.loads((VECTORS / "contexts" / "credentials-v2.jsonld").read_text()),
    GONGZHI_V1_CONTEXT: gongzhi_context(),
}
GZ = "https://gongzhi.example/ns/v1#"
LOADS_REFUSED: list[str] = []


class UnsafeJsonLd(AssertionError):
    """What a JSON-LD processor in safe mode refuses."""


def _local_loader(url: str, options: Any = None) -> dict[str, Any]:
    if url not in CONTEXTS:
        LOADS_REFUSED.append(url)
        raise UnsafeJsonLd(f"the loader serves no {url} (no network)")
    return {"contextUrl": None, "documentUrl": url, "document": CONTEXTS[url]}


def _dropped(prop: str | None) -> None:
    raise UnsafeJsonLd(f"property dropped in expansion: {prop!r}")


def _absolute(iri: object, where: str) -> None:
    # With no base (``base: None``) PyLD leaves a relative IRI as it was written.
    if not isinstance(iri, str) or ":" not in iri or iri.startswith("@"):
        raise UnsafeJsonLd(f"relative IRI in {where}: {iri!r}")


def _check_node(value: object) -> None:
    if isinstance(value, list):
        for item in value:
            _check_node(item)
        return
    if not isinstance(value, dict):
        return
    if "@value" in value:
        if "@type" in value:
            _absolute(value["@type"], "a value's @type")
        return
    for key, child in value.items():
        if key == "@id":
            _absolute(child, "@id")
        elif key == "@type":
            for kind in child if isinstance(child, list) else [child]:
                _absolute(kind, "@type")
        elif not key.startswith("@"):
            _absolute(key, "a property")
            _check_node(child)
        else:
            _check_node(child)


def safe_expand(document: dict[str, Any]) -> list[Any]:
    """PyLD's expansion of `document`, refused where safe mode would refuse it."""
    expanded: list[Any] = jsonld.expand(
        document,
        {"documentLoader": _local_loader, "base": None},
        on_property_dropped=_dropped,
    )
    _check_node(expanded)
    return expanded


def _iris(value: object) -> set[str]:
    """Every property and type IRI of an expanded document."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= _iris(item)
    elif isinstance(value, dict):
        for key, child in value.items():
            if key == "@type" and "@value" not in value:
                found |= set(child if isinstance(child, list) else [child])
            elif not key.startswith("@"):
                found.add(key)
            found |= _iris(child)
    return found


@pytest.fixture(scope="module")
def world() -> World:
    return make_world()


def _role(world: World) -> dict[str, Any]:
    unsigned = issuance.role_credential(
        root=world.root.did.value,
        holder=world.owner.did.value,
        community_id=COMMUNITY,
        role="auditor",
        valid_from=T0,
        credential_id="urn:uuid:0b7f0c52-9d8e-4c1a-8f0e-4a3b2c1d0e9f",
    )
    return sign_credential(unsigned, world.root, created=T0)


def _registration_v2(world: World) -> dict[str, Any]:
    """A later registration (换届, sequence 2 naming the previous one's hash) with every role:
    members, rule, the server's keys, the disclosure log's witnesses; no credentialStatus."""
    server_status = KeyPair.from_private_bytes(KeyType.ED25519, b"\x05" * 32)
    unsigned = build_credential(
        issuer=world.root.did.value,
        types=[REGISTRATION],
        subject={
            "type": "CommitteeRegistration",
            "communityId": COMMUNITY,
            "sequence": 2,
            "previous": "ab" * 32,
            "members": [
                {"id": world.member.did.value, "role": "chair"},
                {"id": world.committee.did.value, "role": "viceChair"},
                {"id": world.owner.did.value, "role": "member"},
            ],
            "decisionRule": {"numerator": 1, "denominator": 2},
            "server": {
                "statusIssuer": server_status.did.value,
                "disclosureLogKey": f"127.0.0.1:8000/c/{COMMUNITY}/disclosures+1a2b3c4d+AQID",
            },
            "witnesses": [{"vkey": "street.example+1a2b3c4d+BAID", "role": "street_office"}],
        },
        valid_from=T0,
        valid_until=T0 + timedelta(days=5 * 365),
        contexts=[GONGZHI_V1_CONTEXT],
    )
    return sign_credential(unsigned, world.root, created=T0)


def _status_list(world: World) -> dict[str, Any]:
    return world.committee_list_credential()


def _presentation(world: World) -> dict[str, Any]:
    # What an owner's device answers a sign-in challenge with (web/pages/static/owner.js); the
    # server never issues one, but verifiers read it beside the credentials.
    document = {
        "@context": [VC_V2_CONTEXT],
        "type": ["VerifiablePresentation"],
        "holder": world.owner.did.value,
    }
    return sign_json(
        document, world.owner, proof_purpose="authentication", challenge="c1", domain="d.example"
    )


ISSUED = {
    "registration": lambda w: w.registration,
    "registration (sequence 2)": _registration_v2,
    "ownership": lambda w: w.ownership,
    "role": _role,
    "status list": _status_list,
    "presentation": _presentation,
}


@pytest.mark.parametrize("name", list(ISSUED))
def test_each_issued_document_expands_in_safe_mode(world: World, name: str) -> None:
    document = ISSUED[name](world)
    expanded = safe_expand(document)
    assert len(expanded) == 1
    iris = _iris(expanded)
    # Nothing of gongzhi's lands in a vocabulary nobody defined.
    assert not {iri for iri in iris if not iri.startswith(("https://", "http://"))}


def test_every_gongzhi_credential_type_is_covered(world: World) -> None:
    types = {
        t
        for name in ISSUED
        for t in ISSUED[name](world).get("type", [])
        if t not in ("VerifiableCredential", "VerifiablePresentation")
    }
    assert types >= {*trust.GONGZHI_TYPES, issuance.ROLE_CREDENTIAL}
    assert types >= {statuslist.LIST_CREDENTIAL_TYPE}


def test_gongzhi_terms_expand_into_its_namespace(world: World) -> None:
    iris = _iris(safe_expand(_registration_v2(world))) | _iris(safe_expand(_role(world)))
    ours = {iri.removeprefix(GZ) for iri in iris if iri.startswith(GZ)}
    assert ours >= {
        "CommitteeRegistrationCredential",
        "CommitteeRegistration",
        "CommunityRoleCredential",
        "communityId",
        "sequence",
        "previousRegistrationHash",
        "members",
        "role",
        "decisionRule",
        "numerator",
        "denominator",
        "server",
        "statusIssuer",
        "disclosureLogKey",
        "witnesses",
        "witnessVerifierKey",
    }


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        (lambda d: d["credentialSubject"].update({"undefinedTerm": 1}), "dropped"),
        (lambda d: d["type"].append("UndefinedCredential"), "relative IRI in @type"),
        (lambda d: d.update({"id": "not-absolute"}), "relative IRI in @id"),
    ],
)
def test_safe_mode_refuses_what_it_should(world: World, change: Any, refusal: str) -> None:
    document = json.loads(json.dumps(_role(world)))
    change(document)
    with pytest.raises(UnsafeJsonLd, match=refusal):
        safe_expand(document)


def test_the_loader_serves_no_other_context(world: World) -> None:
    document = json.loads(json.dumps(_role(world)))
    document["@context"].append("https://www.w3.org/ns/credentials/examples/v2")
    LOADS_REFUSED.clear()
    with pytest.raises(jsonld.JsonLdError):  # PyLD wraps the loader's refusal
        safe_expand(document)
    assert LOADS_REFUSED == ["https://www.w3.org/ns/credentials/examples/v2"]


def test_the_context_file_is_the_one_served() -> None:
    shipped = Path(__file__).parents[2] / "identity" / "w3c" / "gongzhi-v1.jsonld"
    assert json.loads(shipped.read_text()) == CONTEXTS[GONGZHI_V1_CONTEXT]
