"""Where the pages' templates and static files are: one place, so that a module that renders
or serves them finds them wherever it lives (the pages, the demo, the API's `/docs`, tests)."""

from __future__ import annotations

from pathlib import Path

# This module sits beside the two folders; nothing else computes their place.
TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
