"""The Makefile's demo targets: the port to serve on, and starting the demo over."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

MAKEFILE = Path(settings.BASE_DIR) / "Makefile"

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make(*args, cwd=None, env=None):
    """``make`` with the given arguments, without the outer environment's database."""
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SITE_URL")}
    return subprocess.run(
        ["make", "-f", str(MAKEFILE), *args],
        cwd=cwd or MAKEFILE.parent,
        env=clean | (env or {}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_make_run_serves_on_the_port_given_and_the_logins_follow_it():
    commands = make("-n", "run", "PORT=8300").stdout
    assert "ADDRESS=127.0.0.1:8300" in commands
    assert "scripts/run-dev.sh" in commands
    assert "SITE_URL=http://127.0.0.1:8300 .venv/bin/python manage.py seed_demo" in commands


def test_make_run_serves_on_8000_by_default():
    assert "ADDRESS=127.0.0.1:8000" in make("-n", "run").stdout


def test_make_run_has_no_single_sign_on_unless_asked():
    commands = make("-n", "run").stdout
    assert "OIDC_" not in commands
    assert "DEMO_PROVIDER_PORT" not in commands


def test_make_run_sso_starts_the_demo_provider_and_signs_in_with_it():
    commands = make("-n", "run", "SSO=1", "SSO_PORT=9500").stdout.splitlines()
    sso = (
        "DEMO_PROVIDER_PORT=9500 OIDC_ISSUER=http://127.0.0.1:9500 "
        "OIDC_CLIENT_ID=demo-dispute-centre OIDC_CLIENT_SECRET=demo-only-secret "
        "OIDC_PROVIDER_NAME='Demo marketplace' SITE_URL=http://127.0.0.1:8000 "
    )
    assert f"{sso}.venv/bin/python manage.py seed_demo" in commands
    assert any(line.startswith(sso) and "scripts/run-dev.sh" in line for line in commands)
    assert any("pip install" in line and "oidc-provider-mock" in line for line in commands)


def test_demo_reset_deletes_the_demo_database_and_evidence_then_seeds_again():
    commands = make("-n", "demo-reset").stdout.splitlines()
    deleting = [line for line in commands if line.startswith("rm ")]
    assert deleting == [
        "rm -f db.sqlite3 db.sqlite3-journal db.sqlite3-wal db.sqlite3-shm",
        "rm -rf var/evidence",
    ]
    assert commands.index(deleting[-1]) < commands.index(
        next(line for line in commands if "manage.py seed_demo" in line)
    )


@pytest.mark.parametrize(
    "variable",
    [
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/disputes"),
        ("EVIDENCE_ROOT", "/srv/disputes/evidence"),
    ],
)
def test_demo_reset_refuses_to_delete_anything_but_the_demos_own_files(tmp_path, variable):
    (tmp_path / "db.sqlite3").write_text("a database")
    (tmp_path / "var" / "evidence").mkdir(parents=True)
    result = make("demo-reset", cwd=tmp_path, env=dict([variable]))
    assert result.returncode != 0
    assert "demo-reset deletes only the demo's db.sqlite3 and var/evidence" in result.stderr
    assert (tmp_path / "db.sqlite3").exists()
    assert (tmp_path / "var" / "evidence").exists()
