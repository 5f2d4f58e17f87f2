"""Each error class answers the HTTP status given to it explicitly (`web.server.errors.STATUS`)."""

from __future__ import annotations

import pytest

from contracts.errors import AnchorRejected, ChainUnavailable
from identity.community.enrolment import EnrolmentError
from identity.community.registry import CommunityExists, CommunityNotFound, RegistryError
from identity.w3c.failures import BadSignature
from ledger.disclosure.errors import AccountingError, AuthorityError, DuplicateEntryError
from ledger.tlog.errors import LogExistsError, LogNotFoundError, ProofError, RangeError
from voting.ballots import BallotError, BallotNotFound, BallotSpecError
from voting.errors import AreaError
from web.server.errors import status_of


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (CommunityNotFound("没有小区", "no community"), 404),  # answered 400 before
        (CommunityExists("已存在", "exists"), 409),
        (RegistryError("已导入", "imported already"), 409),
        (EnrolmentError("登记码不存在", "unknown enrolment code"), 400),
        (BadSignature("签名无效", "bad signature"), 400),
        (BallotNotFound("没有", "none"), 404),
        (BallotError("表决已截止", "the voting window has ended"), 409),
        (BallotSpecError("表决期限最长60天", "60 days at most"), 400),  # 409 before
        (AreaError("面积无效", "bad area"), 400),
        (LogNotFoundError("没有", "none"), 404),
        (RangeError("越界", "beyond the end"), 404),
        (LogExistsError("已存在", "exists"), 409),
        (ProofError("证明无效", "bad proof"), 400),
        (DuplicateEntryError("重复", "duplicate"), 409),
        (AuthorityError("无权", "not allowed"), 403),
        (AccountingError("不平", "does not add up"), 400),
        (ChainUnavailable("链不可用", "chain down"), 503),
        (AnchorRejected("拒绝", "rejected", "Stale", (), b""), 503),
        (ValueError("ours"), 500),  # not a client's error: a bug, reported as such
    ],
)
def test_status_of(error: Exception, status: int) -> None:
    assert status_of(error) == status
