"""Where the pages' templates and static files are: one place, so that a module that renders
or serves them finds them wherever it lives (the pages, the demo, the API's `/docs`, tests);
and the static files as served, each script and style minified where a fresh build exists."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from starlette.staticfiles import StaticFiles

# This module sits beside the two folders; nothing else computes their place.
TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
# What scripts/minify_static.mjs writes (scripts/setup.sh runs it): a minified copy of each
# script and style, and a manifest of the SHA-256 of the source each was made from.
BUILD_DIR = Path(__file__).resolve().parents[2] / "build" / "static"


def fresh_builds(source: Path, built: Path) -> dict[str, Path]:
    """The minified copies in `built` made from the files of `source` as they are now, by
    name: a copy whose source has changed since, or is gone, or a build without its manifest
    (unfinished, or never made) gives nothing, and the source is served instead."""
    try:
        listed = json.loads((built / "manifest.json").read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    fresh: dict[str, Path] = {}
    for name, digest in listed.items() if isinstance(listed, dict) else ():
        # Names as the build wrote them: plain file names, never a path out of the folders.
        if not isinstance(name, str) or Path(name).name != name or name.startswith("."):
            continue
        try:
            current = hashlib.sha256((source / name).read_bytes()).hexdigest()
        except OSError:
            continue
        if current == digest and (built / name).is_file():
            fresh[name] = built / name
    return fresh


class PageFiles(StaticFiles):
    """`web/pages/static`, with each script or style replaced by its fresh minified copy
    (`fresh_builds`, decided once, at start-up). On a slow phone the owner's ballot page
    waits for its scripts' bytes; minified they are about 40 % fewer (BENCHMARKS.md)."""

    def __init__(self, source: Path = STATIC_DIR, built: Path = BUILD_DIR) -> None:
        super().__init__(directory=source)
        self.minified = fresh_builds(source, built)

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        copy = self.minified.get(path)
        if copy is not None:
            try:
                return str(copy), copy.stat()
            except OSError:  # removed since start-up: the source, which is never stale
                pass
        return super().lookup_path(path)
