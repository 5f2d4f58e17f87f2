"""Request dependencies: the services, a database session per request, committee access."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from web.errors import ApiError
from web.services import Services


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_session(services: ServicesDep) -> Iterator[Session]:
    with services.db.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def require_committee(
    services: ServicesDep, authorization: Annotated[str | None, Header()] = None
) -> None:
    """Committee operations need the committee's bearer token (compared in constant time)."""
    token = services.committee_token
    given = (authorization or "").removeprefix("Bearer ").strip()
    if not given or not hmac.compare_digest(given.encode(), token.encode()):
        raise ApiError(401, "需要业委会身份", "committee credentials required")


CommitteeDep = Annotated[None, Depends(require_committee)]
