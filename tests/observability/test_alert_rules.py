"""The alert rules shipped in deploy/prometheus: valid, each tested firing, each explained."""

from pathlib import Path

import yaml
from django.conf import settings

from tests.observability.scraping import run_promtool

RULES_DIR = Path(settings.BASE_DIR) / "deploy" / "prometheus"


def alert_rules():
    rules = yaml.safe_load((RULES_DIR / "alerts.yml").read_text())
    return [rule for group in rules["groups"] for rule in group["rules"]]


def alert_names():
    return [rule["alert"] for rule in alert_rules()]


def alert_descriptions():
    """Each alert's description (the same whatever fires it): alert name -> text."""
    return {rule["alert"]: rule["annotations"]["description"] for rule in alert_rules()}


def test_the_alert_rules_are_valid_prometheus_rules():
    assert "SUCCESS" in run_promtool("check", "rules", "alerts.yml", cwd=RULES_DIR)


def test_each_alert_fires_on_the_series_it_watches_and_not_before():
    assert "SUCCESS" in run_promtool("test", "rules", "alerts_test.yml", cwd=RULES_DIR)


def test_every_alert_has_a_test_that_sees_it_fire():
    tests = yaml.safe_load((RULES_DIR / "alerts_test.yml").read_text())["tests"]
    seen_firing = {
        check["alertname"]
        for test in tests
        for check in test["alert_rule_test"]
        if check.get("exp_alerts")
    }
    assert set(alert_names()) <= seen_firing


def test_every_alert_says_in_the_deployment_guide_what_to_do():
    guide = (Path(settings.BASE_DIR) / "docs" / "deploy.md").read_text()
    assert [name for name in alert_names() if f"`{name}`" not in guide] == []
