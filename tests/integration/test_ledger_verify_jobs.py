"""`gongzhi verify ledger --jobs N`: workers read their own chunks of the file, give the same
verdict and line numbers as one process, and none outlives the command (issue 7, finding 17).
"""

from __future__ import annotations

import itertools
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from identity.community.trustfile import write_trust
from ledger.disclosure import bundle_verify
from ledger.disclosure.bundle_verify import BundleError, BundleReport, verify_bundle
from tests import ledger_disclosure_support as s
from voting.spending import ballot_decision

SIZE = 1100  # above the size from which workers are used


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return list(s.bundle_lines(s.synthetic_entries(0, SIZE, {}), SIZE, every=100))


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _verify_file(path: Path, work: Path, jobs: int) -> BundleReport:
    with path.open(encoding="utf-8") as f:
        return verify_bundle(
            (line.rstrip("\n") for line in f),
            read_ballot=ballot_decision,
            workdir=work,
            trust=s.trust(),
            anchor=None,
            jobs=jobs,
            source=path,
        )


def test_chunks_share_out_the_lines_exactly(tmp_path: Path, bundle: list[str]) -> None:
    path = _write(tmp_path / "b.jsonl", bundle[:60])
    data = path.read_bytes()
    rng = random.Random(7)
    for _ in range(30):
        cuts = sorted({0, len(data), *(rng.randrange(len(data)) for _ in range(rng.randrange(8)))})
        got = [
            line
            for lo, hi in itertools.pairwise(cuts)
            for line in bundle_verify._read_range(str(path), lo, hi)
        ]
        assert b"".join(got) == data


def test_file_chunks_give_the_verdict_and_line_numbers_of_one_process(
    tmp_path: Path, bundle: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bundle_verify, "_CHUNK_BYTES", 40_000)  # ~25 chunks, cut mid-line
    streamed = verify_bundle(
        bundle,
        read_ballot=ballot_decision,
        workdir=tmp_path / "w0",
        trust=s.trust(),
        anchor=None,
        jobs=1,
    )
    path = _write(tmp_path / "b.jsonl", bundle)
    for jobs in (1, 2):
        report = _verify_file(path, tmp_path / f"w{jobs}", jobs)
        assert report.lines == streamed.lines and report.entries == SIZE

    bad = [*bundle]
    bad[700] = bad[700].replace('\\"openingFen\\":0', '\\"openingFen\\":1')  # breaks its signature
    assert bad[700] != bundle[700]
    bad.insert(300, "")  # a blank line still counts: the broken entry is now on line 702
    path = _write(tmp_path / "bad.jsonl", bad)
    for jobs in (1, 2):
        with pytest.raises(BundleError, match=r"line 702\b"):
            _verify_file(path, tmp_path / f"bad{jobs}", jobs)


def _group(pgid: int) -> list[int]:
    """Live processes in process group ``pgid`` (zombies are dead already)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # it exited while we looked
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
        if fields[0] != "Z" and int(fields[2]) == pgid:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_the_command_leaves_no_process_behind(tmp_path: Path, bundle: list[str]) -> None:
    path = _write(tmp_path / "b.jsonl", bundle)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    trust = tmp_path / "trust.json"
    write_trust(trust, s.trust())
    command = [sys.executable, "-m", "web.cli.entry", "verify", "ledger", str(path), "--jobs", "2"]
    command += ["--trust", str(trust), "--offline"]
    # Its own process group: every process it starts (workers, helpers) inherits the group,
    # so anything still in it once the command has exited was left behind. Output goes to
    # files, not pipes: waiting for a pipe's end would also wait for whoever inherited it.
    with (tmp_path / "out").open("w+b") as out, (tmp_path / "err").open("w+b") as err:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=err, start_new_session=True)
        code = proc.wait(timeout=600)
        left = _group(proc.pid)
        out.seek(0)
        err.seek(0)
        assert code == 0, err.read().decode()
        assert "verdict" in out.read().decode()
    assert left == []
