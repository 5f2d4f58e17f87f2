"""The name every log's origin starts with: fixed by the first log, not by today's address.

Log origins (laid out by `identity.community.origins`: ``{host}/c/{slug}/ballots/{id}``,
``{host}/c/{slug}/disclosures``) are part of every signed checkpoint, every note key's
name and every anchor's log id, and logs are append-only: an origin can never change. So
the host part is taken from the public address only until the first log is opened; after
that it is read back from that log, and a data folder moved to another port or
``GONGZHI_PUBLIC_URL`` keeps appending to the logs it has and names new ones the same way
(one community's ballots and disclosures must share their prefix,
`identity.community.origins.same_community`). The origin is a name, not an address:
nothing fetches it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.community.origins import host_of, host_of_origin
from ledger.tlog.models import Log


def stored_log_host(session: Session) -> str | None:
    """The host part of the oldest log's origin, or None while there is no log."""
    first = session.scalar(select(Log.origin).order_by(Log.id).limit(1))
    return None if first is None else host_of_origin(first)


def log_host(session: Session, public_url: str) -> str:
    return stored_log_host(session) or host_of(public_url)
