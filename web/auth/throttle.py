"""Rate limits on the routes anyone can hammer: challenges, sign-in, code redemption, votes,
objections. Each is a route dependency that takes a token per client address and, where the
request names one, per identity; the buckets and rates are in `web.auth.ratelimit` and
`web.server.settings`.

An identity is counted only once its signature is verified (or, for objections, from the
signed-in session): a bucket keyed on a DID anyone may write into a body would let a
stranger use up an owner's allowance with forged requests. A vote's bucket is per DID *and*
ballot: signed votes are public in the ballot's log, so a replayed one must not keep its
owner from voting on another ballot. A refusal takes no token and changes nothing: 429 with
``Retry-After`` and a bilingual message.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from identity.errors import IdentityError
from identity.w3c.dataintegrity import verify_signed_json
from ledger.disclosure.entries import OBJECTION, REVIEW
from web.auth.ratelimit import Clock, RateLimiter
from web.auth.sessions import PrincipalDep
from web.server.settings import Settings


class RateLimited(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited for {retry_after:.1f} s")
        self.retry_after = max(1, math.ceil(retry_after))


def install(app: FastAPI, settings: Settings, clock: Clock = time.monotonic) -> None:
    app.state.rate_limiter = RateLimiter(settings.rates, clock=clock)

    @app.exception_handler(RateLimited)
    async def _limited(_: Request, exc: RateLimited) -> Response:
        zh = f"请求过于频繁，请 {exc.retry_after} 秒后再试"
        en = f"too many requests; try again in {exc.retry_after} s"
        return JSONResponse(
            {"error": {"zh": zh, "en": en, "message": f"{zh} / {en}"}},
            status_code=429,
            headers={"Retry-After": str(exc.retry_after)},
        )


def _take(request: Request, keys: Sequence[tuple[str, str]]) -> None:
    limiter: RateLimiter = request.app.state.rate_limiter
    wait = limiter.take(keys)
    if wait > 0:
        raise RateLimited(wait)


def _address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


async def _body(request: Request) -> Any:
    # FastAPI has read (and cached) the body by now; the middleware bounded its size and depth.
    try:
        return json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        return None


def _signer(document: Any) -> str | None:
    """The DID whose key signed `document`, or None if it does not verify."""
    if not isinstance(document, dict):
        return None
    try:
        return verify_signed_json(document).controller
    except (IdentityError, ValueError, TypeError, KeyError, AttributeError):
        return None  # the route refuses it with the reason; here it only counts per address


async def _limit_challenge(request: Request) -> None:  # async: no thread-pool hop
    _take(request, [("challenge_address", _address(request))])


async def _limit_sign_in(request: Request) -> None:
    body = await _body(request)
    did = _signer(body.get("presentation")) if isinstance(body, dict) else None
    keys = [("sign_in_address", _address(request))]
    _take(request, keys + ([("sign_in_identity", did)] if did else []))


async def _limit_redeem(request: Request) -> None:
    did = _signer(await _body(request))
    keys = [("redeem_address", _address(request))]
    _take(request, keys + ([("redeem_identity", did)] if did else []))


async def _limit_vote_address(request: Request) -> None:  # async: no thread-pool hop
    _take(request, [("vote_address", _address(request))])


def limit_vote_identity(request: Request, *, did: str, ballot: str) -> None:
    """A vote's per-voter bucket, taken by the route once the vote's signature verified
    (so the signature is checked once, not here and again there)."""
    _take(request, [("vote_identity", f"{did} {ballot}")])


async def _limit_objection(request: Request, principal: PrincipalDep) -> None:
    doc = await _body(request)
    if not isinstance(doc, dict) or doc.get("type") not in (OBJECTION, REVIEW):
        return  # publishers' disclosures and replies are bounded by their roles, not here
    keys = [("objection_address", _address(request))]
    _take(request, keys + ([("objection_identity", principal.did)] if principal else []))


ChallengeLimit = Annotated[None, Depends(_limit_challenge)]
SignInLimit = Annotated[None, Depends(_limit_sign_in)]
RedeemLimit = Annotated[None, Depends(_limit_redeem)]
VoteAddressLimit = Annotated[None, Depends(_limit_vote_address)]
ObjectionLimit = Annotated[None, Depends(_limit_objection)]
