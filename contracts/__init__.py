"""The on-chain side: LogAnchor, its build artifacts, and the chain backends.

py-evm (``eth``) and ``py_ecc``, which it imports for its precompiles, raise Python's
recursion limit for the whole process when imported (to 12,288 and 100,000). A server
thread's C stack overflows long before 100,000 frames, so a deeply nested JSON body then
crashes the process in the C JSON decoder instead of raising RecursionError. Nothing we run
on the EVM nests calls deeply (LogAnchor calls only the SHA-256 precompile), so they are
imported here, before any module of this package, and the limit is put back as it was.
"""

import sys as _sys

_LIMIT = _sys.getrecursionlimit()
try:
    import eth  # noqa: F401
    import py_ecc  # noqa: F401
finally:
    _sys.setrecursionlimit(_LIMIT)
