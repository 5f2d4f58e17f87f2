"""identity.report: one report for every verifier, the chain's state at the top and the end."""

from __future__ import annotations

from identity.report import ChainState, Report


def _report(chain: ChainState, error: str | None = None) -> Report:
    r = Report("表决记录 x", "ballot record x", chain=chain, chain_error=error)
    r.ok("名册相符", "census matches")
    r.detail("V0001")
    return r


def test_offline_is_stated_first_and_last() -> None:
    lines = _report(ChainState.OFFLINE).render(valid=True, verdict_zh="有效", verdict_en="valid")
    assert "OFFLINE" in lines[1] and "OFFLINE" in lines[-2]
    assert lines[2] == "✓ 名册相符 / census matches"
    assert lines[3] == "  · V0001"
    assert lines[-1].endswith("(VALID)")


def test_unreachable_is_incomplete_with_the_error() -> None:
    r = _report(ChainState.UNREACHABLE, "connection refused")
    lines = r.render(valid=True, verdict_zh="有效", verdict_en="valid")
    assert not r.complete and not r.chain_checked
    assert "connection refused" in lines[1] and "connection refused" in lines[-2]
    assert lines[-1].endswith("(INCOMPLETE)")


def test_checked_and_warnings_top_and_end() -> None:
    r = _report(ChainState.CHECKED)
    r.warn("信任文件不同", "trust files differ")
    lines = r.render(valid=True, verdict_zh="有效", verdict_en="valid")
    assert r.chain_checked and r.complete
    assert lines[2] == "⚠ 信任文件不同 / trust files differ"
    assert lines[-3] == "⚠ 信任文件不同 / trust files differ"
    assert "checked against the anchors" in lines[1]
    assert lines[-1].endswith("(VALID)")
    invalid = r.render(valid=False, verdict_zh="无效", verdict_en="invalid")
    assert invalid[-1].endswith("(INVALID)")
