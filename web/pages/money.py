"""Money for people: integer fen shown as ``¥1,234.56`` (exact: no float ever touches it)."""

from __future__ import annotations


def money(fen: int) -> str:
    """``123456`` → ``¥1,234.56``; ``-5`` → ``-¥0.05``."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


def unit_price(fen: int) -> str:
    """A price per charging unit without the currency sign (the unit says 元): ``2.50``."""
    return money(fen).replace("¥", "", 1)


def compact(fen: int, lang: str) -> str:
    """A short axis label for a round amount: ``¥6万`` / ``¥60k``; other amounts in full
    (whole yuan without cents when there are none)."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    if lang != "en" and fen >= 1_000_000 and fen % 100_000 == 0:  # whole 0.1 万元
        wan, tenth = divmod(fen // 100_000, 10)
        return f"{sign}¥{wan:,}{f'.{tenth}' if tenth else ''}万"
    if lang == "en" and fen >= 100_000 and fen % 100_000 == 0:  # whole thousands of yuan
        return f"{sign}¥{fen // 100_000:,}k"
    if fen % 100 == 0:
        return f"{sign}¥{fen // 100:,}"
    return sign + money(fen)
