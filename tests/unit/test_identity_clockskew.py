"""Clock skew (identity.w3c.clockskew): validity periods, status lists, registrations and sign-in
challenges are accepted up to the skew outside their window, and refused one second past it.

Every `now` is injected: nothing here reads a clock.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from identity.community.signin import Challenges, SignInError
from identity.community.trust import verify_chain
from identity.community.vc import VerifiedCredential, verify_credential
from identity.errors import IdentityError
from identity.w3c.clockskew import (
    DEFAULT_CLOCK_SKEW,
    MAX_CLOCK_SKEW,
    NO_SKEW,
    ClockSkewError,
    require_skew,
    shifted,
)
from identity.w3c.credential import load_status_list, sign_credential
from identity.w3c.dataintegrity import add_proof
from identity.w3c.failures import Expired, NotYetValid, UntrustedIssuer
from identity.w3c.xsdtime import format_utc
from tests.identity_support import NOW, T0, World, make_world

SKEW = DEFAULT_CLOCK_SKEW
SECOND = timedelta(seconds=1)


@pytest.fixture(scope="module")
def world() -> World:
    return make_world()


def _verify(world: World, credential: Any, now: datetime, skew: timedelta) -> VerifiedCredential:
    return verify_credential(
        credential,
        now=now,
        trusted_roots=world.roots,
        status_lookup=world.lookup(),
        chain=[world.registration],
        skew=skew,
    )


def _resign(world: World, credential: dict[str, Any], key: Any = None) -> dict[str, Any]:
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    return add_proof(unsigned, key or world.committee, created=T0)


def _expiring(world: World, until: datetime) -> dict[str, Any]:
    credential = copy.deepcopy(world.ownership)
    credential["validUntil"] = until.strftime("%Y-%m-%dT%H:%M:%SZ")
    return _resign(world, credential)


def test_valid_from_tolerates_a_clock_up_to_the_skew_behind(world: World) -> None:
    # The ownership credential and the committee's registration both start at T0.
    _verify(world, world.ownership, T0 - SKEW + SECOND, SKEW)
    _verify(world, world.ownership, T0 - SKEW, SKEW)  # the bound itself is inside
    with pytest.raises(NotYetValid, match="allowing 300 s of clock difference") as refused:
        _verify(world, world.ownership, T0 - SKEW - SECOND, SKEW)
    assert "已容许 300 秒时钟误差" in str(refused.value)


def test_valid_until_tolerates_a_clock_up_to_the_skew_ahead(world: World) -> None:
    until = NOW + timedelta(days=1)
    expiring = _expiring(world, until)
    _verify(world, expiring, until + SKEW - SECOND, SKEW)
    _verify(world, expiring, until + SKEW, SKEW)
    with pytest.raises(Expired, match="allowing 300 s"):
        _verify(world, expiring, until + SKEW + SECOND, SKEW)


def test_without_a_skew_the_window_is_exact(world: World) -> None:
    """The pure checks default to no tolerance: an auditor's verdict at a moment is exact."""
    with pytest.raises(NotYetValid) as refused:
        verify_credential(
            world.ownership,
            now=T0 - SECOND,
            trusted_roots=world.roots,
            status_lookup=world.lookup(),
            chain=[world.registration],
        )
    assert "clock difference" not in str(refused.value)
    until = NOW + timedelta(days=1)
    with pytest.raises(Expired):
        _verify(world, _expiring(world, until), until + SECOND, NO_SKEW)


def test_the_registration_is_judged_at_the_credentials_validfrom(world: World) -> None:
    # The registration ends five years after T0: a credential issued within its term stays
    # valid after it ends (owners do not enrol again at 换届); one issued after is refused.
    registration_end = T0 + timedelta(days=5 * 365)
    options: dict[str, Any] = {
        "trusted_roots": world.roots,
        "status_lookup": world.lookup(),
        "chain": [world.registration],
        "skew": SKEW,
    }
    verify_chain(world.ownership, now=registration_end + SKEW + SECOND, **options)
    late = sign_credential(
        {k: v for k, v in world.ownership.items() if k != "proof"}
        | {"validFrom": format_utc(registration_end)},
        world.committee,
        created=registration_end,
    )
    with pytest.raises(UntrustedIssuer, match="in force"):
        verify_chain(late, now=registration_end + timedelta(days=1), **options)


def test_status_lists_are_loaded_with_the_skew(world: World) -> None:
    listed = world.committee_list_credential()  # valid from T0
    assert load_status_list(listed, now=T0 - SKEW + SECOND, skew=SKEW).url
    with pytest.raises(NotYetValid):
        load_status_list(listed, now=T0 - SKEW - SECOND, skew=SKEW)


def test_challenges_are_accepted_until_the_skew_past_their_expiry() -> None:
    challenges = Challenges(b"k" * 32)
    issued = challenges.issue(NOW)
    assert issued.expires_at == NOW + challenges.ttl
    nonce, accepted_until = challenges.check(
        issued.value, issued.expires_at + SKEW - SECOND, skew=SKEW
    )
    # A used nonce must be kept this long, or the answer could be replayed in the grace period.
    assert accepted_until == issued.expires_at + SKEW and nonce in issued.value
    with pytest.raises(SignInError, match="expired"):
        challenges.check(issued.value, issued.expires_at + SKEW + SECOND, skew=SKEW)
    with pytest.raises(SignInError, match="expired"):
        challenges.check(issued.value, issued.expires_at + SECOND)  # no skew: exact


@pytest.mark.parametrize("skew", [timedelta(seconds=-1), MAX_CLOCK_SKEW + SECOND])
def test_an_unreasonable_skew_is_refused(world: World, skew: timedelta) -> None:
    with pytest.raises(ClockSkewError, match="clock skew must be between"):
        require_skew(skew)
    with pytest.raises(IdentityError, match="时钟误差"):
        _verify(world, world.ownership, NOW, skew)
    with pytest.raises(IdentityError, match="clock skew"):
        Challenges(b"k" * 32).check("v1.x.1.y", NOW, skew=skew)


def test_times_at_the_calendars_ends_are_judged_not_crashed(world: World) -> None:
    """A signer may write any validFrom / validUntil; shifting by the skew must not overflow."""
    lasting = copy.deepcopy(world.ownership)
    # validFrom stays within the registration's term (an earlier one has no committee).
    lasting["validUntil"] = "9999-12-31T23:59:59Z"
    _verify(world, _resign(world, lasting), NOW, SKEW)
    top = datetime.max.replace(tzinfo=UTC)
    assert shifted(top - SECOND, SKEW) == top
    assert shifted(datetime.min.replace(tzinfo=UTC) + SECOND, -SKEW) == datetime.min.replace(
        tzinfo=UTC
    )
