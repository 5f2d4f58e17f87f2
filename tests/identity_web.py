"""Test helpers for the identity API: enrol a device key, sign in, act as the committee.

Everything goes through HTTP as a real client would: a member enrols a device key with a
member code (the operator's), the street office (the demo office of the app's data folder,
which a demo server trusts and `tests.e2e.support` makes other test apps trust through
``GONGZHI_TRUSTED_ROOTS``) signs the next registration listing it and posts it, and the member
signs in by DID. Committee decisions are signed with the demo members' keys (`decide`).
Queued ownership credentials are signed by a member's key through the API (`issue_pending`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from identity.community import issuance
from identity.community.committee import (
    Member,
    ServerKeys,
    build_registration,
    decision_share,
    registration_hash,
    sign_registration,
)
from identity.community.trustfile import PinnedTrust, contract_address, write_trust
from identity.w3c.credential import sign_credential
from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from ledger.tlog import merkle
from web.auth.sessions import IdentityRuntime
from web.demo.community import demo_keys, demo_member_keys, demo_office_key

DEMO = "xianxia-demo"
TERM = timedelta(days=5 * 365)


def runtime_of(app: FastAPI) -> IdentityRuntime:
    runtime: IdentityRuntime = app.state.identity
    return runtime


def operator_headers(app: FastAPI) -> dict[str, str]:
    return {"Authorization": f"Bearer {runtime_of(app).operator_token()}"}


def redemption(key: KeyPair, code: str, *, domain: str) -> dict[str, Any]:
    """What a device sends to bind its key with an enrolment code."""
    return sign_json(
        {"type": "EnrolmentRedemption", "code": code, "holder": key.did.value},
        key,
        proof_purpose="authentication",
        domain=domain,
    )


def enrol(client: TestClient, app: FastAPI, code: str, key: KeyPair) -> Response:
    response: Response = client.post(
        "/api/enrolment/redeem", json=redemption(key, code, domain=runtime_of(app).domain)
    )
    return response


def presentation(
    key: KeyPair, challenge: str, *, domain: str, credentials: list[Any] | None = None
) -> dict[str, Any]:
    """A Verifiable Presentation answering a sign-in challenge."""
    document: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": key.did.value,
    }
    if credentials is not None:
        document["verifiableCredential"] = credentials
    return sign_json(
        document, key, proof_purpose="authentication", challenge=challenge, domain=domain
    )


def sign_in(
    client: TestClient,
    key: KeyPair,
    *,
    session: str = "bearer",
    credentials: list[Any] | None = None,
) -> Response:
    """Challenge, sign, sign in: the whole round trip."""
    issued = client.post("/api/auth/challenge").json()
    answer = presentation(
        key, issued["challenge"], domain=issued["domain"], credentials=credentials
    )
    response: Response = client.post(
        "/api/auth/sign-in", json={"presentation": answer, "session": session}
    )
    return response


def bearer(response: Response) -> dict[str, str]:
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def office_of(app: FastAPI) -> KeyPair:
    """The street office of the tests: the demo office of the app's data folder, which a demo
    server trusts and `tests.e2e.support` makes every other test app trust — unless the test
    keeps an office of its own outside the folder (``app.state.test_office``)."""
    office: KeyPair | None = getattr(app.state, "test_office", None)
    return office if office is not None else demo_office_key(data_dir_of(app))


def grant_role(client: TestClient, app: FastAPI, slug: str, did: str, role: str) -> None:
    """The office signs a role credential (property manager, auditor) on its own machine and
    posts it; the root's signature is the authority, no session is needed."""
    now = datetime.now(UTC).replace(microsecond=0)
    office = office_of(app)
    unsigned = issuance.role_credential(
        root=office.did.value, holder=did, community_id=slug, role=role, valid_from=now
    )
    posted = client.post(
        f"/api/communities/{slug}/roles", json=sign_credential(unsigned, office, created=now)
    )
    assert posted.status_code == 201, posted.text


def next_registration(
    client: TestClient,
    app: FastAPI,
    slug: str,
    members: list[Member],
    *,
    replace: bool = False,
    office: KeyPair | None = None,
) -> dict[str, Any]:
    """The community's next registration, signed by the office: the members in force so far
    and `members` (or only `members` when `replace`), in force from a second ago."""
    stored = client.get(f"/api/communities/{slug}/registrations")
    assert stored.status_code == 200, stored.text
    chain: list[dict[str, Any]] = stored.json()
    keys = client.get(f"/api/communities/{slug}/host-keys").json()
    current: list[Member] = []
    if chain and not replace:
        current = [Member(m["id"], m["role"]) for m in chain[-1]["credentialSubject"]["members"]]
    if any(m.role == "chair" for m in members):
        current = [Member(m.did, "member") if m.role == "chair" else m for m in current]
    listed = [*current, *(m for m in members if m.did not in {c.did for c in current})]
    if not any(m.role == "chair" for m in listed):
        listed[0] = Member(listed[0].did, "chair")
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
    office = office or office_of(app)
    unsigned = build_registration(
        root=office.did.value,
        community=slug,
        sequence=len(chain) + 1,
        previous=registration_hash(chain[-1]) if chain else None,
        members=listed,
        server=ServerKeys(keys["statusIssuer"], keys["disclosureLogKey"]),
        valid_from=start,
        valid_until=start + TERM,
    )
    return sign_registration(unsigned, office, created=start)


def register_members(
    client: TestClient, app: FastAPI, slug: str, members: list[Member], *, replace: bool = False
) -> dict[str, Any]:
    """The office registers `members` (besides those in force, unless `replace`)."""
    signed = next_registration(client, app, slug, members, replace=replace)
    posted = client.post(f"/api/communities/{slug}/registrations", json=signed)
    assert posted.status_code == 201, posted.text
    return signed


def new_member(
    client: TestClient, app: FastAPI, slug: str = DEMO, *, role: str = "chair"
) -> tuple[KeyPair, dict[str, str]]:
    """A committee member: enrolled with the operator's member code, registered by the office,
    signed in. Their key and bearer headers."""
    issued = client.post(
        f"/api/communities/{slug}/member-codes", json={"role": role}, headers=operator_headers(app)
    )
    assert issued.status_code == 201, issued.text
    key = KeyPair.generate(KeyType.P256)
    redeemed = enrol(client, app, issued.json()["code"], key)
    assert redeemed.status_code == 201, redeemed.text
    register_members(client, app, slug, [Member(key.did.value, role)])
    return key, bearer(sign_in(client, key))


def issue_pending(
    client: TestClient, slug: str, member: KeyPair, headers: dict[str, str]
) -> list[str]:
    """The member signs every queued ownership credential of `slug`; the ids accepted."""
    queued = client.get(
        f"/api/communities/{slug}/credentials/pending",
        params={"issuer": member.did.value},
        headers=headers,
    )
    assert queued.status_code == 200, queued.text
    if not queued.json():
        return []
    signed = [sign_credential(doc, member) for doc in queued.json()]
    posted = client.post(f"/api/communities/{slug}/credentials", json=signed, headers=headers)
    assert posted.status_code == 201, posted.text
    accepted: list[str] = posted.json()["accepted"]
    return accepted


def committee_headers(app: FastAPI, slug: str = DEMO) -> dict[str, str]:
    """Bearer headers of a committee member of `slug`, made once per app and community."""
    return committee_member(app, slug)[1]


def committee_member(app: FastAPI, slug: str = DEMO) -> tuple[KeyPair, dict[str, str]]:
    """A committee member of `slug` (key and bearer headers), made once per app and community."""
    cache: dict[str, tuple[KeyPair, dict[str, str]]] = getattr(
        app.state, "test_committee_members", {}
    )
    if slug not in cache:
        client = TestClient(app)
        chair = demo_member_keys(data_dir_of(app))[0]
        stored = client.get(f"/api/communities/{slug}/registrations")
        listed = stored.json()[-1]["credentialSubject"]["members"] if stored.json() else []
        if chair.did.value in {m["id"] for m in listed}:
            # The demo chair is registered (a demo server's committee): it acts as itself,
            # so the committee keeps the members `decide` signs with.
            cache[slug] = chair, bearer(sign_in(client, chair))
        else:
            cache[slug] = new_member(client, app, slug)
        app.state.test_committee_members = cache
    return cache[slug]


def set_up_community(
    client: TestClient, app: FastAPI, *, slug: str, name: str, street_office: str, register: str
) -> dict[str, str]:
    """The operator sets a community up, its first member signs in and uploads the register;
    returns that member's authorization headers."""
    r = client.post(
        "/api/communities",
        json={"slug": slug, "name": name, "street_office": street_office},
        headers=operator_headers(app),
    )
    assert r.status_code == 201, r.text
    member = new_member(client, app, slug)
    cache: dict[str, tuple[KeyPair, dict[str, str]]] = getattr(
        app.state, "test_committee_members", {}
    )
    cache.setdefault(slug, member)
    app.state.test_committee_members = cache
    committee = member[1]
    r = client.post(
        f"/api/communities/{slug}/register",
        content=register.encode(),
        headers={**committee, "Content-Type": "text/csv"},
    )
    assert r.status_code == 200, r.text
    return committee


def decide(client: Any, data_dir: Path, slug: str, decision: dict[str, Any]) -> dict[str, Any]:
    """Sign a pending committee decision with the demo members' keys (as each member's own
    device would) through the API until it takes effect; returns it applied."""
    now = datetime.now(UTC)
    if "document" not in decision:  # as listed (a summary): sign the whole document
        decision = client.get(f"/api/communities/{slug}/decisions/{decision['id']}").json()
    for key in demo_member_keys(data_dir):
        if decision["state"] != "pending":
            break
        proof = decision_share(decision["document"], key, created=now)
        signed = client.post(
            f"/api/communities/{slug}/decisions/{decision['id']}/signatures",
            json={"proof": proof},
        )
        assert signed.status_code == 200, signed.text
        decision = signed.json()
    assert decision["state"] == "applied", decision
    return decision


def announced_body(body: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A ballot body timed for a notice given at ``now``, 16 days ago: voting opens when
    the 15 days' notice has run (yesterday) and lasts until 10 days from today."""
    opens = now + timedelta(days=15)
    return body | {
        "opens_at": opens.isoformat(),
        "closes_at": (now + timedelta(days=26)).isoformat(),
    }


@contextmanager
def clock_at(app: FastAPI, when: datetime) -> Iterator[None]:
    """The server's ballot clock stopped at ``when`` (the notice period runs in no time)."""
    services = app.state.services
    real = services.clock
    services.clock = lambda: when
    try:
        yield
    finally:
        services.clock = real


def announce_ballot(
    client: Any, app: FastAPI, body: dict[str, Any], *, slug: str = DEMO, headers: Any = None
) -> dict[str, Any]:
    """Propose a ballot as a committee member and have the demo members sign its notice,
    dated 16 days ago so that voting may open now."""
    past = datetime.now(UTC).replace(microsecond=0) - timedelta(days=16)
    with clock_at(app, past):
        proposed = client.post(
            f"/api/communities/{slug}/ballots",
            json=announced_body(body, past),
            headers=headers or committee_headers(app, slug),
        )
        assert proposed.status_code == 202, proposed.text
        decide(client, data_dir_of(app), slug, proposed.json()["decision"])
    ballot: dict[str, Any] = proposed.json()["ballot"]
    return ballot


def open_ballot(
    client: Any, app: FastAPI, body: dict[str, Any], *, slug: str = DEMO, headers: Any = None
) -> dict[str, Any]:
    """Announce a ballot (notice dated 16 days ago), then have the members sign it open:
    the census is frozen now and votes are taken at once."""
    ballot = announce_ballot(client, app, body, slug=slug, headers=headers)
    proposed = client.post(
        f"/api/ballots/{ballot['id']}/open", headers=headers or committee_headers(app, slug)
    )
    assert proposed.status_code == 202, proposed.text
    decide(client, data_dir_of(app), slug, proposed.json())
    opened = client.get(f"/api/ballots/{ballot['id']}")
    assert opened.status_code == 200 and opened.json()["status"] == "open", opened.text
    shown: dict[str, Any] = opened.json()
    return shown


def close_ballot(
    client: Any, app: FastAPI, ballot_id: int, *, slug: str = DEMO, headers: Any = None
) -> dict[str, Any]:
    """Propose closing early and have the demo members sign the result."""
    proposed = client.post(
        f"/api/ballots/{ballot_id}/close",
        json={"early": True},
        headers=headers or committee_headers(app, slug),
    )
    assert proposed.status_code == 202, proposed.text
    return decide(client, data_dir_of(app), slug, proposed.json())


def data_dir_of(app: FastAPI) -> Path:
    return Path(app.state.services.settings.data_dir)


def register_committee(app: FastAPI, slug: str) -> None:
    """The (demo) office registers the demo members into the committee of another community
    of the app, besides the members in force (`decide` signs with their keys)."""
    members = [Member(key.did.value, "member") for key in demo_member_keys(data_dir_of(app))]
    register_members(TestClient(app), app, slug, members)


def pinned(record: dict[str, Any], root: str, folder: Path) -> list[str]:
    """``--trust FILE`` for a verifier: what the street office would hand out for this
    server (its chain, its contract, the office's root DID), written into `folder`. The
    chain and contract are taken from a ballot record's ``anchor`` or a bundle header's
    ``chain`` — in a test the office knows them to be right."""
    chain = record.get("anchor") or record["chain"]
    trust = PinnedTrust(
        chain_id=int(chain["chainId"]),
        contract=contract_address(chain["contract"]),
        roots=frozenset({root}),
    )
    path = folder / "trust.json"
    write_trust(path, trust)
    return ["--trust", str(path)]


def pinned_bundle(bundle: Path, root: str, folder: Path) -> list[str]:
    """`pinned` for a disclosure bundle (its header line names the chain)."""
    with bundle.open(encoding="utf-8") as f:
        header: dict[str, Any] = json.loads(f.readline())
    return pinned(header, root, folder)


def passed_fund_ballot(
    client: Any,
    app: FastAPI,
    *,
    title: str = "更换3号楼电梯",
    amount_fen: int = 5_000_000,
    slug: str = DEMO,
    headers: Any = None,
) -> tuple[int, dict[str, Any]]:
    """A ballot on using the maintenance fund (matter 5) approving ``amount_fen``, every demo
    owner voting for it, closed early: its id and its result entry as a spending line cites
    it ({ballot, index, leafHash})."""
    now = datetime.now(UTC)
    ballot = open_ballot(
        client,
        app,
        {
            "matter": 5,
            "title": title,
            "text": f"使用维修资金：{title}",
            "opens_at": (now - timedelta(minutes=1)).isoformat(),
            "closes_at": (now + timedelta(days=30)).isoformat(),
            "amount_fen": amount_fen,
        },
        slug=slug,
        headers=headers,
    )
    seen: set[str] = set()
    for _unit, key in sorted(demo_keys(app.state.services).items()):
        if key.did.value in seen:
            continue
        seen.add(key.did.value)
        vote = {"type": "Vote", "ballot": ballot["origin"], "voter": key.did.value}
        r = client.post(
            f"/api/ballots/{ballot['id']}/votes",
            json=sign_json(vote | {"choices": {"1": "agree"}}, key),
        )
        assert r.status_code == 201, r.text
    closed = close_ballot(client, app, ballot["id"], slug=slug, headers=headers)
    [item] = closed["document"]["items"]
    assert item["outcome"]["passed"], closed
    record = client.get(f"/api/ballots/{ballot['id']}/record").json()
    index = len(record["entries"]) - 1
    leaf = merkle.leaf_hash(record["entries"][index].encode())
    return ballot["id"], {"ballot": ballot["origin"], "index": index, "leafHash": leaf.hex()}
