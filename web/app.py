"""The FastAPI application: services started once, routers, one error handler."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from web import (
    accounts_page,
    api_ballot_acts,
    api_ballots,
    api_committee,
    api_decisions,
    api_disclosures,
    api_identity,
    api_live,
    api_paper,
    api_version,
    chain_rpc,
    console_pages,
    demo_pages,
    docs_page,
    errors,
    manager_pages,
    member_pages,
    owner_pages,
    pages,
    pages_identity,
    throttle,
    unavailable,
    verify_page,
    well_known,
)
from web.auth import IdentityRuntime, trusted_roots
from web.demo import (
    auto_signer,
    demo_member_keys,
    demo_office_key,
    seed_demo,
    sign_as_demo_members,
)
from web.headers import HeadedFastAPI
from web.limits import BodyLimitMiddleware
from web.services import Services
from web.settings import Settings


def create_app(settings: Settings, *, demo: bool = False, anchor_loop: bool = True) -> FastAPI:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    services = Services.start(settings)
    if demo:
        # A demo server trusts its demo office and signs queued credentials with a demo
        # member's key (`web.demo`): it holds everyone's keys, as a real server never
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

    # FastAPI's /docs and /redoc load from a CDN: ours is served whole (`web.docs_page`).
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
    return app
