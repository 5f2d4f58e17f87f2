"""Bounds on every integer a client can send, declared in the schema so they show in OpenAPI.

Without them an id like 9223372036854775808 reaches the database driver, overflows its
64-bit integer and becomes a 500 (which also drops the keep-alive connection). The bound is
JavaScript's ``Number.MAX_SAFE_INTEGER``: every integer we accept is exact in the owner's
browser, and far inside SQL ``BIGINT`` on both databases.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import Field

MAX_INT = 2**53 - 1

# An integer field of a request body whose own checks come later (e.g. a matter number).
BoundedInt = Annotated[int, Field(ge=-MAX_INT, le=MAX_INT)]
# A row number in a path (ballot ids start at 1).
IdPath = Annotated[int, Path(ge=1, le=MAX_INT)]
# An entry index or tree size in a path.
IndexPath = Annotated[int, Path(ge=0, le=MAX_INT)]
