"""Errors carry their Chinese and English halves apart; nothing splits a message at " / ".

A Chinese half may itself hold " / " — the role credential's message lists the roles as
``propertyManager / auditor`` — so splitting the joined text there cut the message in the
wrong place: the client was told "角色必须是 propertyManager" in Chinese and
"auditor / role must be one of …" in English.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from contracts.errors import AnchorRejected, ChainError
from identity.community import issuance
from identity.community.issuance import IssuanceError
from identity.errors import IdentityError, explain
from ledger.disclosure.errors import IntegrityError, SchemaError
from ledger.tlog.errors import LedgerError
from voting.errors import VotingError
from web.api.identity import _refuse
from web.server import errors as web_errors

ROLE_ZH = "角色必须是 propertyManager / auditor"
ROLE_EN = "role must be one of propertyManager, auditor"


def _role_error() -> IssuanceError:
    with pytest.raises(IssuanceError) as caught:
        issuance.role_credential(
            root="did:key:z6MkneMkZqwqRiU5mJzSG3kDwzt9P8C59N4NGTfBLfSGE7c7",
            holder="did:key:z6MkneMkZqwqRiU5mJzSG3kDwzt9P8C59N4NGTfBLfSGE7c7",
            community_id="xianxia-7",
            role="janitor",
            valid_from=datetime(2026, 1, 1, tzinfo=UTC),
            credential_id="urn:uuid:00000000-0000-4000-8000-000000000000",
        )
    return caught.value


def test_the_role_message_keeps_its_chinese_slash() -> None:
    error = _role_error()
    assert (error.zh, error.en) == (ROLE_ZH, ROLE_EN)
    assert str(error) == f"{ROLE_ZH} / {ROLE_EN}"


def test_the_web_answer_carries_both_halves_whole() -> None:
    app = FastAPI()
    web_errors.install(app)

    @app.get("/api/role")
    def role() -> None:
        raise _role_error()

    body = TestClient(app).get("/api/role").json()["error"]
    assert (body["zh"], body["en"]) == (ROLE_ZH, ROLE_EN)


def test_an_identity_refusal_keeps_both_halves_whole() -> None:
    refused = _refuse(403, _role_error())
    assert (refused.status, refused.zh, refused.en) == (403, ROLE_ZH, ROLE_EN)


def test_a_wrapped_cause_keeps_its_halves() -> None:
    assert explain("外层", "outer", _role_error()) == (f"外层：{ROLE_ZH}", f"outer: {ROLE_EN}")


@pytest.mark.parametrize(
    ("error", "zh", "en"),
    [
        (IdentityError("甲 / 乙", "a"), "甲 / 乙", "a"),
        (LedgerError("甲 / 乙", "a"), "甲 / 乙", "a"),
        (ChainError("甲 / 乙", "a"), "甲 / 乙", "a"),
        (AnchorRejected("甲 / 乙", "a", "Stale", (), b""), "甲 / 乙", "a"),
        (SchemaError("甲 / 乙", "a", where="body.x"), "body.x: 甲 / 乙", "body.x: a"),
        (VotingError("甲 / 乙", "a", where="units[3]"), "units[3]: 甲 / 乙", "units[3]: a"),
        (IntegrityError("甲 / 乙", "a"), "数据完整性错误：甲 / 乙", "integrity error: a"),
    ],
)
def test_every_error_family_shows_its_halves(error: Any, zh: str, en: str) -> None:
    assert error.bilingual() == (zh, en)


@pytest.mark.parametrize(
    "error",
    [
        SchemaError("甲 / 乙", "a", where="body.x"),
        VotingError("甲 / 乙", "a", where="units[3]"),
        LedgerError("甲 / 乙", "a"),
        ChainError("甲 / 乙", "a"),
    ],
)
def test_the_web_layer_shows_located_halves(error: Exception) -> None:
    app = FastAPI()
    web_errors.install(app)

    @app.get("/api/fail")
    def fail() -> None:
        raise error

    body = TestClient(app).get("/api/fail").json()["error"]
    assert (body["zh"], body["en"]) == error.bilingual()  # type: ignore[attr-defined]
    assert body["message"] == f"{body['zh']} / {body['en']}"
