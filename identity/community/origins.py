"""The one place where log origins and public URLs are laid out.

Log origins (C2SP tlog-checkpoint: the first line of every checkpoint, the name of the log's
note key, and — hashed — its log id, `ledger.tlog.records.log_id_of`):

* a ballot box: ``{host}/c/{slug}/ballots/{id}`` (`ballot_origin`);
* a community's disclosure log: ``{host}/c/{slug}/disclosures`` (`disclosure_origin`);

both under the community's prefix ``{host}/c/{slug}/`` (`community_prefix`), so a ballot
cited by a disclosure can be told to be the same community's (`same_community`). ``host`` is
the public address without its scheme, fixed by the first log ever opened (see
`web.server.log_host`): an origin is a name, never fetched, and never changes.

Public URLs (``base_url`` is the public address with its scheme, ``https://vote.example``):

* a community's status list: ``{base_url}/api/communities/{slug}/status-list``
  (`status_list_url`, read back by `status_list_key`; `status_list_key_of_path` recognises
  the same layout under an address the server was served at before).

Pure: no I/O, no imports of ours.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_COMMUNITY = "/c/"
_DISCLOSURES = "disclosures"
_BALLOTS = "ballots/"
# A community's status list (signed by the server's status key); the server keeps no list of
# the street office's, which is offline and issues nothing that needs one.
_LIST_PATH = re.compile(r"/api/communities/(?P<slug>[^/]+)/status-list\Z")


def host_of(public_url: str) -> str:
    """The public address without its scheme and trailing slash: what origins start with."""
    return public_url.split("://", 1)[-1].rstrip("/")


def community_prefix(host: str, slug: str) -> str:
    """``{host}/c/{slug}/``: what every log origin of the community starts with."""
    return f"{host}{_COMMUNITY}{slug}/"


def ballot_origin(host: str, slug: str, ballot_id: int) -> str:
    """``{host}/c/{slug}/ballots/{id}``: the origin of a ballot box's log."""
    return f"{community_prefix(host, slug)}{_BALLOTS}{ballot_id}"


def disclosure_origin(host: str, slug: str) -> str:
    """``{host}/c/{slug}/disclosures``: the origin of a community's disclosure log."""
    return f"{community_prefix(host, slug)}{_DISCLOSURES}"


def prefix_of_disclosures(origin: str) -> str:
    """``{host}/c/{slug}/`` of a disclosure log origin ``{host}/c/{slug}/disclosures``; an
    origin of another shape gives itself and a slash, which no ballot origin starts with
    unless it lies below that origin."""
    head, sep, tail = origin.rpartition("/")
    return head + sep if sep and tail == _DISCLOSURES else origin + "/"


def same_community(disclosure_log: str, ballot: str) -> bool:
    """Whether `ballot` is a ballot box origin of the community whose disclosure log is
    `disclosure_log` (a ballot of another community approves nothing there)."""
    return ballot.startswith(prefix_of_disclosures(disclosure_log) + _BALLOTS)


def host_of_origin(origin: str) -> str | None:
    """The host part of a community log's origin, or None for an origin of another shape."""
    if _COMMUNITY not in origin:
        return None
    return origin.split(_COMMUNITY, 1)[0]


def ballot_page_url(base_url: str, ballot_id: int) -> str:
    """The public page of a ballot, where a resident verifies it (a result notice's QR)."""
    return f"{base_url}/ballots/{ballot_id}"


def election_record_url(base_url: str, ballot_id: int) -> str:
    """Where a closed ballot's election record is served (`gongzhi election export --url`)."""
    return f"{base_url.rstrip('/')}/api/ballots/{ballot_id}/election"


def status_list_url(base_url: str, list_key: str) -> str:
    """Where the status list of the community `list_key` (its slug) is published."""
    return f"{base_url}/api/communities/{list_key}/status-list"


def status_list_key(base_url: str, url: str) -> str | None:
    """The list a status list URL under `base_url` names, or None when it names none."""
    prefix, suffix = f"{base_url}/api/communities/", "/status-list"
    if url.startswith(prefix) and url.endswith(suffix):
        slug = url[len(prefix) : -len(suffix)]
        if slug and "/" not in slug:
            return slug
    return None


def status_list_key_of_path(url: str) -> str | None:
    """The list a status list URL names by its path alone, under any http(s) address (an
    address the server was served at before); None when the URL has another shape."""
    parts = urlsplit(url)
    match = _LIST_PATH.search(parts.path)
    if parts.scheme not in ("http", "https") or parts.query or match is None:
        return None
    return str(match.group("slug"))
