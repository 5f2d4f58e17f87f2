"""Picking demo owners to vote: distinct persons, in a fixed order.

`web.demo.community.demo_keys` maps unit numbers to keys, so a buyer of several units (and the
developer, who holds all its unsold units as one person) appears once per unit, and the
mapping's order follows a query without ORDER BY. Taking "the first three values" could
therefore hand the same owner over twice — a 409 "already voted" one run in three.
"""

from __future__ import annotations

from collections.abc import Mapping

from identity.w3c.keys import KeyPair


def distinct_voters(keys: Mapping[str, KeyPair], count: int) -> list[KeyPair]:
    """The owners of the first `count` distinct persons, by unit number (each once)."""
    chosen: dict[str, KeyPair] = {}
    for _unit, key in sorted(keys.items()):
        chosen.setdefault(key.did.value, key)
        if len(chosen) == count:
            return list(chosen.values())
    raise ValueError(f"only {len(chosen)} distinct owners, {count} wanted")
