"""``/.well-known/gongzhi-trust.json``: the trust file this server publishes.

The same JSON a verifier reads with ``--trust`` (`identity.community.trustfile`): the chain
id the chain answers with, the LogAnchor contract the server anchors to, and the street
office roots the identity runtime trusts (`Issuers.trusted_roots`). It is a convenience
and a cross-check, never the anchor of trust: a verifier pins the street office's own copy
and only warns when this one differs. While the chain is down the answer is a 503 (the
chain id cannot be vouched for), never a guess.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from identity.community.trustfile import WELL_KNOWN_PATH, PinnedTrust, contract_address, trust_bytes
from web.auth.sessions import IdentityRuntime, RuntimeDep
from web.server.deps import ServicesDep
from web.server.error_responses import text_errors
from web.server.services import Services

router = APIRouter()
_RESPONSES: dict[int | str, dict[str, Any]] = {200: {"content": {"application/json": {}}}}
_RESPONSES |= text_errors(503)


def server_trust(services: Services, runtime: IdentityRuntime) -> PinnedTrust:
    """What this server would have a verifier pin (raises `ChainError` while the chain is
    down: a 503 through the app's handler)."""
    return PinnedTrust(
        chain_id=services.chain.chain_id,
        contract=contract_address(services.anchor.address),
        # The identity runtime's roots and those the decisions are checked against (a demo
        # server's demo office is among the latter).
        roots=frozenset(runtime.issuers.trusted_roots) | services.roots,
    )


@router.get(
    WELL_KNOWN_PATH,
    response_class=Response,
    responses=_RESPONSES,
)
def trust_file(services: ServicesDep, runtime: RuntimeDep) -> Response:
    return Response(
        content=trust_bytes(server_trust(services, runtime)),
        media_type="application/json",
        headers={"Cache-Control": "no-cache"},
    )
