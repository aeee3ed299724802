"""The request id: kept from the proxy when safe, made otherwise, returned in the answer and
in API errors, on each request's log line, and carried into the tasks it queued."""

import json
import logging

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from pythonjsonlogger.json import JsonFormatter

from api.models import ApiClient
from disputes import tasks
from observability import request_id
from observability.logs import RequestIdFilter
from tests.conftest import run_tasks
from tests.disputes.builders import answerable_dispute, seller_of
from tests.factories import make_user
from tests.servers import settings_read_from

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(caplog):
    """Records of the request and task lines, with the request id as the handler sees it."""
    caplog.handler.addFilter(RequestIdFilter())
    caplog.set_level(logging.INFO, logger="observability")
    return caplog


def test_the_proxys_request_id_is_kept_and_returned(client):
    response = client.get("/healthz", headers={"X-Request-ID": "nginx-5f2b9c1e.7:a=b+c/d"})

    assert response["X-Request-ID"] == "nginx-5f2b9c1e.7:a=b+c/d"


@pytest.mark.parametrize("sent", ["x" * 101, "two words", "<script>", "id\x01", "ïd"], ids=repr)
def test_a_request_id_too_long_or_with_other_characters_is_replaced(client, sent):
    returned = client.get("/healthz", headers={"X-Request-ID": sent})["X-Request-ID"]

    assert returned != sent
    assert len(returned) == 32 and returned.isalnum()


def test_each_request_without_one_gets_its_own(client):
    assert client.get("/healthz")["X-Request-ID"] != client.get("/healthz")["X-Request-ID"]


@pytest.mark.parametrize("path", ["/api/v1/no-such-endpoint/", "/api/v1/events/"])
def test_api_errors_name_the_request_id(client, path):
    response = client.get(path, headers={"X-Request-ID": "marketplace-call-42"})

    assert response.status_code in (401, 404)
    assert response.json()["request_id"] == "marketplace-call-42"


def test_each_request_has_one_log_line_with_its_pattern_status_time_user_and_id(client, logged):
    buyer = make_user("bob")
    client.force_login(buyer)

    client.get(reverse("orders:list"), headers={"X-Request-ID": "req-orders"})

    [line] = [r for r in logged.records if r.name == "observability.requests"]
    assert (line.method, line.view, line.route, line.status) == (
        "GET",
        "orders:list",
        "orders/",
        200,
    )
    assert line.user_id == buyer.pk
    assert line.api_client_id is None
    assert line.request_id == "req-orders"
    assert line.duration_ms > 0


def test_an_api_requests_line_names_the_client_not_a_user(client, logged):
    marketplace, token = ApiClient.create("Marketplace")

    client.get("/api/v1/events/", headers={"Authorization": f"Bearer {token}"})

    [line] = [r for r in logged.records if r.name == "observability.requests"]
    assert (line.status, line.api_client_id, line.user_id) == (200, marketplace.pk, None)


def test_in_production_each_line_is_one_json_object(client, logged, settings):
    client.get("/healthz", headers={"X-Request-ID": "req-json"})
    [record] = [r for r in logged.records if r.name == "observability.requests"]
    production = settings_read_from({"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": "x" * 50})
    options = dict(production["LOGGING"]["formatters"]["json"])
    del options["()"]

    line = JsonFormatter(**options).format(record)

    assert "\n" not in line
    assert json.loads(line) | {"time": "...", "duration_ms": 1} == {
        "time": "...",
        "level": "INFO",
        "logger": "observability.requests",
        "request_id": "req-json",
        # The line's milliseconds are cut (%d), the field's rounded: 0.96 ms is "0 ms", 1.0.
        "message": f"GET healthz 200 {int(record.args[3])} ms",
        "method": "GET",
        "view": "health",
        "route": "healthz",
        "status": 200,
        "duration_ms": 1,
        "user_id": None,
        "api_client_id": None,
    }


def test_under_make_run_the_lines_are_plain_text():
    development = settings_read_from({"DJANGO_DEBUG": "true"})
    production = settings_read_from({"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": "x" * 50})

    assert development["LOGGING"]["handlers"]["console"]["formatter"] == "text"
    assert production["LOGGING"]["handlers"]["console"]["formatter"] == "json"


def test_tasks_queued_by_a_request_carry_its_id_into_their_runs_and_their_own_tasks(client, logged):
    dispute = answerable_dispute(make_user("bob"))
    run_tasks()
    queued_before = list(DBTaskResult.objects.values_list("pk", flat=True))
    client.force_login(seller_of(dispute))

    client.post(
        reverse("disputes:seller_accept", args=[dispute.pk]),
        headers={"X-Request-ID": "req-accept"},
    )
    queued = DBTaskResult.objects.exclude(pk__in=queued_before)
    assert queued and {task.args_kwargs["request_id"] for task in queued} == {"req-accept"}
    logged.clear()
    run_tasks()  # the event's emails task, then the emails it queues

    runs = [r for r in logged.records if r.name == "observability.tasks"]
    assert {run.task for run in runs} == {
        tasks.send_event_emails.module_path,
        tasks.deliver_email.module_path,
    }
    assert {(run.request_id, run.outcome, run.attempt) for run in runs} == {
        ("req-accept", "successful", 1)
    }
    assert all(run.duration_ms >= 0 for run in runs)


def test_a_failed_task_run_is_logged_and_its_retry_keeps_the_request_id(logged, monkeypatch):
    def mail_server_down(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr(tasks, "send_mail", mail_server_down)
    request_id.bind("req-mail")
    try:
        tasks.deliver_email.enqueue(to="bob@example.com", subject="Hello", body="...")
    finally:
        request_id.bind(None)

    run_tasks()

    [run] = [r for r in logged.records if r.name == "observability.tasks"]
    assert (run.outcome, run.request_id) == ("failed", "req-mail")
    [retry] = DBTaskResult.objects.filter(status="READY")
    assert retry.args_kwargs["request_id"] == "req-mail"
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
