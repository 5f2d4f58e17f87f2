"""The FastAPI application: services started once, routers, one error handler."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from web.api import ballot_acts as api_ballot_acts
from web.api import ballots as api_ballots
from web.api import committee as api_committee
from web.api import decisions as api_decisions
from web.api import disclosures as api_disclosures
from web.api import docs as docs_page
from web.api import identity as api_identity
from web.api import live as api_live
from web.api import paper as api_paper
from web.api import version as api_version
from web.api import well_known
from web.auth import throttle
from web.auth.sessions import IdentityRuntime, trusted_roots
from web.demo import pages as demo_pages
from web.demo.community import (
    auto_signer,
    demo_member_keys,
    demo_office_key,
    seed_demo,
    sign_as_demo_members,
)
from web.pages import accounts as accounts_page
from web.pages import console as console_pages
from web.pages import identity as pages_identity
from web.pages import manager as manager_pages
from web.pages import member as member_pages
from web.pages import owner as owner_pages
from web.pages import public as pages
from web.pages import verify as verify_page
from web.server import chain_rpc, errors, unavailable
from web.server.head import HeadAsGet
from web.server.headers import HeadedFastAPI
from web.server.limits import BodyLimitMiddleware
from web.server.services import Services
from web.server.settings import Settings


def create_app(settings: Settings, *, demo: bool = False, anchor_loop: bool = True) -> FastAPI:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    services = Services.start(settings)
    if demo:
        # A demo server trusts its demo office and signs queued credentials with a demo
        # member's key (`web.demo.community`): it holds everyone's keys, as a real server never
        # does.
        office = demo_office_key(settings.data_dir).did.value
        identity = IdentityRuntime.start(
            settings,
            extra_roots=frozenset({office}),
            auto_sign=auto_signer(
                demo_member_keys(settings.data_dir), trusted_roots(settings) | {office}
            ),
        )
    else:
        identity = IdentityRuntime.start(settings)
    # Committee decisions are checked against the same roots as registrations.
    services.roots = identity.issuers.trusted_roots
    identity.pin_roots = frozenset(services.roots)
    if demo:
        services.attest_key_change = sign_as_demo_members
    if demo and seed_demo(services, identity.issuers):
        services.anchor_pending(force=True)  # the demo's logs are on chain from the start
    identity.prepare(services.db)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if anchor_loop:
            services.start_anchoring()
        # What start-up built (routes, models, keys, caches) lives as long as the process:
        # keep the collector from walking it on every collection (a census freeze of 10,000
        # owners spent half its CPU there, BENCHMARKS.md).
        gc.freeze()
        yield
        services.close()

    # FastAPI's /docs and /redoc load from a CDN: ours is served whole (`web.api.docs`).
    app = HeadedFastAPI(title="共治 gongzhi", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.services = services
    app.state.demo = demo
    app.state.identity = identity
    errors.install(app)
    api_version.install(app)
    unavailable.install(app)
    app.include_router(api_ballots.router)
    app.include_router(api_ballot_acts.router)
    app.include_router(api_paper.router)
    api_live.install(app, services, settings)
    app.include_router(api_committee.router)
    app.include_router(api_decisions.router)
    app.include_router(api_identity.router)
    app.include_router(pages.router)
    app.include_router(pages_identity.router)
    app.include_router(chain_rpc.router)
    app.include_router(api_disclosures.router)
    app.include_router(accounts_page.router)
    app.include_router(well_known.router)
    app.include_router(verify_page.router)
    owner_pages.install(app)
    app.include_router(member_pages.router)
    app.include_router(demo_pages.router)
    app.include_router(docs_page.router)
    app.include_router(console_pages.router)
    app.include_router(manager_pages.router)
    throttle.install(app, settings)
    # Outside the routes: bodies are bounded (size, then JSON depth) before anything reads them.
    app.add_middleware(BodyLimitMiddleware, limits=settings.body_limits)
    app.add_middleware(HeadAsGet)  # outermost: a HEAD is a GET to everything inside
    return app
