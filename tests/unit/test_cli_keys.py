"""Passphrases for key files: from the environment, or asked for (twice for a new file)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from web.cli.keys import CliError, read_passphrase


def answers(*given: str) -> object:
    it: Iterator[str] = iter(given)
    return lambda _prompt: next(it)


def test_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGZHI_PASSPHRASE", "from the environment")
    assert read_passphrase(new=True, prompt=answers()) == "from the environment"  # type: ignore[arg-type]


def test_new_passphrase_asked_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GONGZHI_PASSPHRASE", raising=False)
    assert read_passphrase(new=True, prompt=answers("long enough", "long enough")) == "long enough"  # type: ignore[arg-type]
    with pytest.raises(CliError) as caught:
        read_passphrase(new=True, prompt=answers("long enough", "different!"))  # type: ignore[arg-type]
    assert caught.value.code == 2 and "differ" in caught.value.en and "不一致" in caught.value.zh


def test_short_new_passphrase_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGZHI_PASSPHRASE", "short")
    with pytest.raises(CliError, match="at least 8"):
        read_passphrase(new=True)
    assert read_passphrase(new=False) == "short"  # an existing file is only opened


def test_no_answer_is_bad_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GONGZHI_PASSPHRASE", raising=False)

    def eof(_prompt: str) -> str:
        raise EOFError

    with pytest.raises(CliError) as caught:
        read_passphrase(new=False, prompt=eof)
    assert caught.value.code == 2
