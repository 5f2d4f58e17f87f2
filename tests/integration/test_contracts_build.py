"""The committed contract build must be exactly what the pinned solc makes of the sources."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

from contracts.chain import load_artifact
from tests.backends import unavailable

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "compile_contracts.mjs"
BUILD = ROOT / "contracts" / "build"


def _node() -> str:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "solc").exists():
        unavailable("node with the npm solc package")
        return ""
    return node


def test_committed_artifacts_match_sources() -> None:
    result = subprocess.run(
        [_node(), str(SCRIPT), "--check"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_check_detects_a_stale_artifact(tmp_path: Path) -> None:
    stale = json.loads((BUILD / "LogAnchor.json").read_text())
    stale["deployedBytecode"] = stale["deployedBytecode"][:-2] + "00"
    (tmp_path / "LogAnchor.json").write_text(json.dumps(stale, indent=2) + "\n")
    result = subprocess.run(
        [_node(), str(SCRIPT), "--check", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "stale" in result.stderr


def test_artifact_names_its_source_and_compiler() -> None:
    raw = json.loads((BUILD / "LogAnchor.json").read_text())
    source = (ROOT / raw["sourcePath"]).read_bytes()
    assert raw["sourceSha256"] == hashlib.sha256(source).hexdigest()
    assert raw["compiler"]["version"] == "0.8.37+commit.f401782d"
    assert raw["settings"]["evmVersion"] == "cancun"
    artifact = load_artifact("LogAnchor")
    assert artifact.deployed_bytecode and artifact.bytecode.startswith(b"\x60\x80")
    assert "pragma solidity 0.8.37;" in source.decode()
