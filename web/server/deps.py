"""Request dependencies: the services and a database session per request.

The session is committed when the route function returns and *before* the answer is sent
(``scope="function"``): a 2xx always means the data is committed, so a token, a community or
a receipt can be used the moment its answer arrives. Safe methods (GET, HEAD, OPTIONS) only
read, so their sessions never queue behind writers.

Who is asking (sessions, roles, the operator) is in `web.auth.sessions`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from web.server.services import Services

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# async (no I/O): a sync dependency would hop to the thread pool and back on every request.
async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_session(request: Request, services: ServicesDep) -> Iterator[Session]:
    write = request.method not in SAFE_METHODS
    with services.db.session(write=write, lazy=True) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
