"""An entry line of a disclosure bundle (``{"entry":{"index":…,"data":"…","leafHash":"…"}}``)
read in one pass in C: JSON and types together, by msgspec.

`entry_fields` is a shortcut for the verifier, who reads a million such lines: it gives what
`ledger.disclosure.entries.safe_loads` and the verifier's type checks make of the line, or
None where they might make something else, or refuse it (a property test pins both), and
the verifier then reads the line as before. So it decodes only lines `safe_loads` would read
through orjson — few brackets, no fraction and no long number, where duplicate keys are
resolved as msgspec resolves them, the last one winning — and only fields of the exact types
(an index of ``true`` is left to the old reading, for which it is an int).
"""

from __future__ import annotations

import msgspec

from identity.w3c.jcs import plain_numbers

_FAST_BRACKETS = 100  # as `safe_loads`: more, and it reads with the strict reader


class _Entry(msgspec.Struct):
    index: int
    data: str
    leafHash: str  # the member's JSON name


class _Line(msgspec.Struct):
    entry: _Entry


_decode = msgspec.json.Decoder(_Line).decode


def entry_fields(text: str) -> tuple[int, str, str] | None:
    """(index, data, leafHash) of an entry line; None: read it with `safe_loads`."""
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: for the standard reader to judge
        return None
    if raw.count(b"[") + raw.count(b"{") > _FAST_BRACKETS or not plain_numbers(raw):
        return None
    try:
        entry = _decode(raw).entry
    except msgspec.DecodeError:  # bad JSON, or another shape or type (ValidationError)
        return None
    return entry.index, entry.data, entry.leafHash
