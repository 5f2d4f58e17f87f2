"""The public census rows of a ballot: their Merkle root and the rule engine's census.

Pure: the verifier and the server both read rows through these, so they agree byte for byte.
"""

from __future__ import annotations

from typing import Any

from identity.w3c.jcs import canonical
from ledger.tlog.merkle import root_hash
from voting.area import Area
from voting.census import Census
from voting.census import Unit as CensusUnit


def census_root(entries: list[dict[str, Any]]) -> bytes:
    """RFC 9162 root over the canonical JSON of each census row, in order."""
    return root_hash([canonical(e) for e in entries])


def census_of(entries: list[dict[str, Any]]) -> Census:
    """The rule engine's census from public census rows (keyed by voter key)."""
    return Census.of(
        [
            CensusUnit(
                id=",".join(e["units"]),
                area=Area.parse(e["area"]),
                holder=e["voter"],
                developer=e["developer"],
            )
            for e in entries
        ]
    )
