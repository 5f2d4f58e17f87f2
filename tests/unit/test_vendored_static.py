"""The browser libraries vendored into web/pages/static/vendor (scripts/vendor_static.mjs) are the
versions package.json pins, each with its licence, byte for byte what the manifest records —
and, where node_modules is installed, what npm installed."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from web.pages.assets import STATIC_DIR, TEMPLATES_DIR

ROOT = Path(__file__).parents[2]
VENDOR = STATIC_DIR / "vendor"
DIRS = {
    "@noble/hashes": "noble-hashes",
    "qrcode-generator": "qrcode-generator",
    "jsqr": "jsqr",
    "swagger-ui-dist": "swagger-ui",
}
SOURCES = {"qrcode.mjs": "dist/qrcode.mjs", "jsQR.js": "dist/jsQR.js"}


def _manifest() -> list[dict[str, object]]:
    packages: list[dict[str, object]] = json.loads((VENDOR / "VENDORED.json").read_text())[
        "packages"
    ]
    return packages


def test_vendored_files_are_the_pinned_versions_with_licences() -> None:
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]
    manifest = _manifest()
    assert {p["name"] for p in manifest} == set(DIRS)
    for package in manifest:
        name, files = str(package["name"]), package["files"]
        assert package["version"] == pinned[name], name
        assert isinstance(files, dict) and "LICENSE" in files, name
        folder = VENDOR / DIRS[name]
        assert {f.name for f in folder.iterdir()} == set(files), name
        for file, digest in files.items():
            assert hashlib.sha256((folder / file).read_bytes()).hexdigest() == digest, file


def test_vendored_files_equal_node_modules_when_installed() -> None:
    for package in _manifest():
        name = str(package["name"])
        installed = ROOT / "node_modules" / name
        if not installed.is_dir():
            continue  # a server checkout without npm: the manifest test above still holds
        assert json.loads((installed / "package.json").read_text())["version"] == package["version"]
        files = package["files"]
        assert isinstance(files, dict)
        for file in map(str, files):
            if file == "LICENSE" and not (installed / "LICENSE").exists():
                continue  # qrcode-generator ships none: the script writes its MIT text
            source = installed / SOURCES.get(file, file)
            assert source.read_bytes() == (VENDOR / DIRS[name] / file).read_bytes(), file


def test_pages_load_no_script_from_elsewhere() -> None:
    """No CDN: the owner's pages name no other site, and every module import is relative."""
    for path in TEMPLATES_DIR.glob("owner*.html"):
        assert re.search(r"""(src|href)=["']?(https?:)?//""", path.read_text()) is None, path
    for path in STATIC_DIR.glob("*.js"):
        for target in re.findall(r"""(?:from|import\()\s*["']([^"']+)["']""", path.read_text()):
            assert target.startswith("./"), (path.name, target)
