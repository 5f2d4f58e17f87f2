"""The pages' scripts and styles are served minified where scripts/minify_static.mjs built a
copy from the source as it is now, and as written otherwise: a stale, unfinished or tampered
build is never served (web/pages/assets.py `fresh_builds`, `PageFiles`)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.backends import unavailable
from web.pages.assets import BUILD_DIR, STATIC_DIR, PageFiles, fresh_builds

ROOT = Path(__file__).resolve().parents[2]


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _folders(tmp_path: Path) -> tuple[Path, Path]:
    source, built = tmp_path / "static", tmp_path / "build"
    source.mkdir()
    built.mkdir()
    (source / "a.js").write_text("export const answer = 1 + 1; // a comment\n")
    (source / "b.css").write_text("body {  color: red;  }\n")
    (built / "a.js").write_text("export const answer=2;\n")
    (built / "b.css").write_text("body{color:red}\n")
    files = {name: _digest((source / name).read_bytes()) for name in ("a.js", "b.css")}
    (built / "manifest.json").write_text(json.dumps({"tool": "test", "files": files}))
    return source, built


def _served(source: Path, built: Path, path: str) -> str:
    app = FastAPI()
    app.mount("/static", PageFiles(source, built))
    with TestClient(app) as client:
        answer = client.get(f"/static/{path}")
        assert answer.status_code == 200, path
        text: str = answer.text
        return text


def test_a_fresh_build_is_served_in_place_of_its_source(tmp_path: Path) -> None:
    source, built = _folders(tmp_path)
    assert set(fresh_builds(source, built)) == {"a.js", "b.css"}
    assert _served(source, built, "a.js") == "export const answer=2;\n"
    assert _served(source, built, "b.css") == "body{color:red}\n"


def test_a_changed_source_is_served_as_written(tmp_path: Path) -> None:
    source, built = _folders(tmp_path)
    (source / "a.js").write_text("export const answer = 3;\n")
    assert set(fresh_builds(source, built)) == {"b.css"}
    assert _served(source, built, "a.js") == "export const answer = 3;\n"


def test_no_manifest_or_a_broken_one_serves_every_source(tmp_path: Path) -> None:
    source, built = _folders(tmp_path)
    manifest = built / "manifest.json"
    for broken in ("", "[]", '{"files": 3}', '{"files": {"a.js": 7}}', "{nope"):
        manifest.write_text(broken)
        assert fresh_builds(source, built) == {}, broken
    manifest.unlink()
    assert fresh_builds(source, built) == {}
    assert _served(source, built, "a.js").startswith("export const answer = 1 + 1;")


def test_a_manifest_cannot_name_a_file_outside_the_folders(tmp_path: Path) -> None:
    source, built = _folders(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the web")
    files = {"../secret.txt": _digest(secret.read_bytes()), ".hidden": _digest(b"")}
    (built / "manifest.json").write_text(json.dumps({"files": files}))
    assert fresh_builds(source, built) == {}


def test_a_copy_removed_after_start_up_falls_back_to_its_source(tmp_path: Path) -> None:
    source, built = _folders(tmp_path)
    app = FastAPI()
    app.mount("/static", PageFiles(source, built))
    (built / "a.js").unlink()
    with TestClient(app) as client:
        assert client.get("/static/a.js").text.startswith("export const answer = 1 + 1;")


def test_the_build_minifies_every_script_and_style(tmp_path: Path) -> None:
    """scripts/minify_static.mjs itself, on a copy of the tree: every .js and .css of the
    static folder gets a smaller copy and a manifest entry that `fresh_builds` accepts."""
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "esbuild").is_dir():
        unavailable("node with the pinned esbuild (scripts/setup.sh)")
    work = tmp_path / "tree"
    shutil.copytree(STATIC_DIR, work / "web/pages/static", ignore=shutil.ignore_patterns("vendor"))
    (work / "scripts").mkdir()
    shutil.copy(ROOT / "scripts/minify_static.mjs", work / "scripts")
    (work / "node_modules").symlink_to(ROOT / "node_modules")
    subprocess.run([node, "scripts/minify_static.mjs"], cwd=work, check=True, capture_output=True)
    source, built = work / "web/pages/static", work / "build/static"
    wanted = {p.name for p in source.iterdir() if p.suffix in (".js", ".css")}
    fresh = fresh_builds(source, built)
    assert set(fresh) == wanted
    for name, copy in fresh.items():
        assert copy.stat().st_size < (source / name).stat().st_size, name


def test_the_server_serves_this_trees_build_when_there_is_one() -> None:
    """What the browser tests load is what a deployment serves: with scripts/setup.sh run
    (always, in CI) every script and style of the static folder goes out minified."""
    minified = PageFiles().minified
    if not minified:
        unavailable("build/static from scripts/setup.sh (node scripts/minify_static.mjs)")
    wanted = {p.name for p in STATIC_DIR.iterdir() if p.suffix in (".js", ".css")}
    assert set(minified) == wanted, "build/static is stale: run scripts/setup.sh"
    assert all(copy.parent == BUILD_DIR for copy in minified.values())


@pytest.mark.parametrize("name", ["owner.js", "gongzhi_core.js"])
def test_the_minified_modules_keep_their_imports_and_exports(name: str) -> None:
    minified = PageFiles().minified
    if name not in minified:
        unavailable("build/static from scripts/setup.sh (node scripts/minify_static.mjs)")
    text = minified[name].read_text(encoding="utf-8")
    written = (STATIC_DIR / name).read_text(encoding="utf-8")
    assert "\n//" not in text and len(text) < len(written) * 0.75
    for module in ("./gongzhi_core.js", "./page.js", "./keysource.js"):
        assert (module in written) == (module in text), module
