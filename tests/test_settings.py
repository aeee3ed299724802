"""Production mode, checked in a fresh process the way a deployment starts it."""

from tests.processes import run_manage


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DJANGO_ENV="production")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_passes_the_deployment_checklist():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="a-long-random-production-secret-" + "x7Qp2#Lm9!vR4&tZ8@wK" * 2,
        DJANGO_ALLOWED_HOSTS="disputes.example.com",
    )
    assert result.returncode == 0, result.stderr
