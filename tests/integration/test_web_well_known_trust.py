"""The server publishes its trust file at /.well-known/gongzhi-trust.json; a verifier given
--server (or a record naming its server) compares it with the pinned one and WARNS, at the
top and the end of its report, when they differ — the pinned file still decides."""

from __future__ import annotations

from pathlib import Path

import pytest

from identity.community.trustfile import WELL_KNOWN_PATH, parse_trust
from identity.report import Report
from tests.e2e.support import live_server, running, services_of, settings_for
from tests.record_support import Ballot, World, save
from web.cli import entry as cli
from web.cli import trust as cli_trust
from web.trust_qr import trust_qr_svg


def test_the_route_serves_what_the_server_trusts(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data", db_url=None, anvil_url=None)
    with running(settings, demo=False) as (client, app):
        answer = client.get(WELL_KNOWN_PATH)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/json")
        trust = parse_trust(answer.json())  # exactly the format --trust reads
        services = services_of(app)
        assert trust.chain_id == services.chain.chain_id
        assert trust.contract == services.anchor.address
        assert trust.roots == app.state.identity.issuers.trusted_roots
        # The member page's QR of it: made as `gongzhi office trust --qr` makes the office's.
        qr = client.get("/committee/trust-qr.svg")
        assert qr.status_code == 200 and qr.headers["content-type"] == "image/svg+xml"
        assert qr.content == trust_qr_svg(trust) and b"<svg" in qr.content


def test_a_differing_server_trust_is_warned_not_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = World()
    record = Ballot(world).record()
    trust = world.write_trust(tmp_path / "trust.json")
    settings = settings_for(tmp_path / "data", db_url=None, anvil_url=None)
    with live_server(settings, demo=False) as (url, _app):
        published = cli_trust.fetch_server_trust(url)
        same = Report()
        cli_trust.compare_with_server(published, url, same)
        assert not same.warnings and "is the one given" in same.lines[0]

        path = save(record | {"server": url}, tmp_path / "r.json")  # the record names it
        code = cli.main(["verify", "ballot", str(path), "--trust", str(trust), "--offline"])
        out = capsys.readouterr().out.strip().splitlines()
        assert code == 0
        warned = [i for i, line in enumerate(out) if line.startswith("⚠")]
        assert warned and warned[0] <= 3 and warned[-1] >= len(out) - 4
        said = "\n".join(out[i] for i in warned)
        assert "differs from the one given: chain id 1337, not 31337" in out[warned[0]]
        assert "differs from the one given: roots differ" in said

    # The server gone: said, not fatal.
    path = save(record, tmp_path / "r2.json")
    gone = ["--server", "http://127.0.0.1:9", "--offline"]
    code = cli.main(["verify", "ballot", str(path), "--trust", str(trust), *gone])
    assert code == 0
    assert "could not compare with the server's published trust file" in capsys.readouterr().out
