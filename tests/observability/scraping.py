"""Reading /metrics as Prometheus does, and running promtool, for the tests."""

import os
import shutil
import subprocess

import pytest
from prometheus_client.parser import text_string_to_metric_families


def samples(exposition: str) -> dict[tuple[str, frozenset], float]:
    """Every sample of a text exposition: (name, its labels) -> value."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def value(scraped, name, **labels):
    """One sample's value; None when the scrape does not have it."""
    return scraped.get((name, frozenset(labels.items())))


def scrape(client, **request):
    response = client.get("/metrics", **request)
    assert response.status_code == 200, response.status_code
    return samples(response.content.decode())


def promtool() -> str:
    """promtool's path (Debian's `prometheus` package: scripts/system-deps.sh test installs
    it). Without it the test is skipped, except in CI, where it must run."""
    path = shutil.which("promtool")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("promtool is missing: CI installs it (scripts/system-deps.sh test)")
        pytest.skip("promtool is not installed: `apt-get install prometheus` runs this test")
    return path


def run_promtool(*args, cwd):
    result = subprocess.run(
        [promtool(), *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout
