"""More than one machine, on this one: any app server answers any request, workers anywhere.

Real processes talk over TCP: two gunicorn app servers on two ports (each run with
``gunicorn.conf.py``, as in production), two ``db_worker`` processes, one PostgreSQL
database (the test database), moto's S3 server for evidence and a Redis server for the
cache. The parties use plain HTTP with their own cookies and
send each request to one server or the other: a wizard started on one finishes on the
other, a thumbnail uploaded through one is fetched through the other, a rate limit
counts across both. A deadline passes with both workers polling and acts once; a worker
killed in the middle of a task leaves nothing half done, and the task runs again.

The app servers run the development settings with DEBUG off: production's cookies are
``Secure``, and plain HTTP on 127.0.0.1 has no proxy in front that ends TLS.
"""

import os
import re
import secrets
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
import requests
from django.conf import settings
from django.db import connection
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.sign_in_links import LinkKind, create_link
from api.models import ApiClient
from disputes import tasks
from disputes.models import Dispute, DisputeStatus, EventKind, Evidence, Stage
from tests import servers
from tests.conftest import corpus_path
from tests.disputes.builders import (
    DESCRIPTION,
    answerable_dispute,
    answerable_dispute_at,
    disputable_order,
    make_seller_account,
)
from tests.factories import make_user
from tests.observability.scraping import samples, value

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: app servers and workers in other processes share one database",
    ),
    # The servers read what the test wrote: the test's writes must be committed.
    pytest.mark.django_db(transaction=True),
]

PATIENCE = 60  # seconds anything may take on a busy machine before the test gives up
PASSWORD = "correct-horse-battery"  # tests.factories.make_user's
OVERDUE = timedelta(days=5, minutes=1)  # opened this long ago, the seller's 5 days are over
API_RATE_LIMIT = 4  # requests a minute, for all the servers together
PHOTO = "good/png_photo_hopper.png"
VIDEO = "good/mp4_h264_aac_imovie.mp4"


@dataclass
class Cluster:
    """The running processes: app servers by base URL, workers by worker id."""

    app_urls: list[str]
    workers: dict[str, subprocess.Popen]
    bucket: str
    endpoint_url: str

    def assert_running(self):
        for name, process in self.workers.items():
            assert process.poll() is None, f"worker {name} stopped ({process.returncode})"


def wait_until(condition, what, cluster=None):
    """Poll ``condition`` until it holds; fail, saying ``what``, after PATIENCE seconds."""
    give_up = time.monotonic() + PATIENCE
    while not (result := condition()):
        if cluster is not None:
            cluster.assert_running()
        if time.monotonic() > give_up:
            pytest.fail(f"after {PATIENCE} s, still waiting for {what}")
        time.sleep(0.1)
    return result


@pytest.fixture
def cluster(s3_server, tmp_path, transactional_db):
    bucket = f"cluster-{secrets.token_hex(6)}"
    servers.create_bucket(s3_server, bucket)
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")
    } | servers.s3_environment(s3_server, bucket)
    environment |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_URL": servers.database_url(),
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "API_RATE_LIMIT": f"{API_RATE_LIMIT}/minute",
    }
    bin_dir = Path(sys.executable).parent
    app_ports = [servers.free_port(), servers.free_port()]
    worker_ids = ["worker-1", "worker-2"]
    with ExitStack() as stack:
        environment["CACHE_URL"] = servers.redis_server(stack, tmp_path / "redis.log")
        apps = [
            servers.launch(
                stack,
                # As production runs it: gunicorn.conf.py, two sync workers per server.
                [str(bin_dir / "gunicorn"), "--config", "gunicorn.conf.py"],
                log=tmp_path / f"app-{port}.log",
                cwd=settings.BASE_DIR,
                env=environment
                | {"GUNICORN_BIND": f"{servers.HOST}:{port}", "GUNICORN_WORKERS": "2"},
            )
            for port in app_ports
        ]
        workers = {
            worker_id: servers.launch(
                stack,
                [
                    sys.executable,
                    "manage.py",
                    "db_worker",
                    "--no-startup-delay",
                    "--interval",
                    "0.2",
                    "--no-reload",
                    "--worker-id",
                    worker_id,
                ],
                log=tmp_path / f"{worker_id}.log",
                cwd=settings.BASE_DIR,
                env=environment,
            )
            for worker_id in worker_ids
        }
        for port, app in zip(app_ports, apps, strict=True):
            servers.wait_for_port(port, app, "gunicorn", tmp_path / f"app-{port}.log")
        running = Cluster(
            [f"http://{servers.HOST}:{port}" for port in app_ports], workers, bucket, s3_server
        )
        wait_until(
            lambda: all(
                "Starting worker" in (tmp_path / f"{worker_id}.log").read_text()
                for worker_id in worker_ids
            ),
            "both workers to start",
            running,
        )
        yield running


class Party:
    """Someone with a browser's cookie jar, who sends each request to the server named."""

    def __init__(self):
        self.session = requests.Session()
        self.page = ""  # the last HTML page, whose form's CSRF token a post sends

    def get(self, server, path, allow_redirects=True, **headers):
        response = self.session.get(
            server + path, headers=headers, allow_redirects=allow_redirects, timeout=PATIENCE
        )
        if response.headers.get("Content-Type", "").startswith("text/html"):
            self.page = response.text
        return response

    def post(self, server, path, data, files=None):
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.page)
        assert token, "the last page has no form"
        response = self.session.post(
            server + path,
            data={"csrfmiddlewaretoken": token[1], **data},
            files=files,
            allow_redirects=False,
            timeout=PATIENCE,
        )
        if response.headers.get("Content-Type", "").startswith("text/html"):
            self.page = response.text
        return response

    def log_in(self, form_server, server, username):
        self.get(form_server, reverse("login"))
        response = self.post(server, reverse("login"), {"username": username, "password": PASSWORD})
        assert response.status_code == 302, response.text


def test_any_app_server_answers_any_request_and_workers_act_once(cluster, settings):
    # Passwords are checked by the servers, which know only the real hashers.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    a, b = cluster.app_urls
    alice = make_user("alice")
    seller = make_seller_account()
    order = disputable_order(alice, seller=seller)

    dispute = a_wizard_started_on_one_server_finishes_on_the_other(cluster, order)
    the_seller_answers_through_either_server(a, b, dispute)
    each_server_counts_its_requests_and_both_agree_on_the_database(a, b)
    an_api_rate_limit_counts_the_requests_of_every_server(a, b)
    sign_in_links_work_once_whichever_server_opens_them(a, b, order)
    a_passed_deadline_is_acted_on_once_by_two_workers(cluster, seller)
    a_task_whose_worker_is_killed_is_run_again_never_half_done(cluster, seller)
    # Last: it locks this machine's address out of every account.
    a_lock_out_holds_on_every_server(a, b)


def a_wizard_started_on_one_server_finishes_on_the_other(cluster, order):
    a, b = cluster.app_urls
    buyer = Party()
    buyer.log_in(a, b, "alice")
    wizard = reverse("disputes:open", args=[order.number])
    step = f"dispute_wizard_{order.pk}-current_step"

    def answer(server, step_name, fields, files=None):
        data = {step: step_name} | {f"{step_name}-{name}": value for name, value in fields.items()}
        return buyer.post(server, wizard, data, files=files).text

    assert "Step 1 of 4" in buyer.get(a, wizard).text
    assert "Step 2 of 4" in answer(b, "reason", {"reason": "defective"})
    assert "Step 3 of 4" in answer(a, "refund", {"refund_request": "full"})
    with corpus_path(PHOTO).open("rb") as photo, corpus_path(VIDEO).open("rb") as video:
        evidence = [("evidence", ("cable.png", photo)), ("evidence", ("unboxing.mp4", video))]
        review = answer(a, "details", {"description": DESCRIPTION}, files=evidence)
    assert "Step 4 of 4" in review
    assert "cable.png" in review and "unboxing.mp4" in review

    # The drafts were stored through server A, in the bucket; server B serves them from it.
    drafts = {evidence.original_name: evidence for evidence in Evidence.objects.drafts()}
    stored = [name for evidence in drafts.values() for name in evidence.file_names]
    assert bucket_keys(cluster) == sorted(stored)
    for evidence in drafts.values():
        thumbnail = buyer.get(b, reverse("disputes:evidence_file", args=[evidence.pk, "thumbnail"]))
        assert thumbnail.status_code == 200
        assert thumbnail.headers["Content-Type"] == "image/jpeg"
        assert thumbnail.content.startswith(b"\xff\xd8\xff")  # a JPEG: the video's poster too
    video_url = reverse("disputes:evidence_file", args=[drafts["unboxing.mp4"].pk, "video"])
    first_bytes = buyer.get(b, video_url, Range="bytes=0-99")
    assert first_bytes.status_code == 206
    stored_video = servers.s3_client(cluster.endpoint_url).get_object(
        Bucket=cluster.bucket, Key=drafts["unboxing.mp4"].original.name, Range="bytes=0-99"
    )
    assert first_bytes.content == stored_video["Body"].read()  # the remuxed copy's bytes

    opened = buyer.post(b, wizard, {step: "review"})  # the last step, on the other server

    assert opened.status_code == 302
    dispute = Dispute.objects.get(order=order)
    assert opened.headers["Location"] == dispute.get_absolute_url()
    assert sorted(e.original_name for e in dispute.evidence.all()) == ["cable.png", "unboxing.mp4"]
    return dispute


def the_seller_answers_through_either_server(a, b, dispute):
    seller = Party()
    seller.log_in(b, a, "szgadget")
    page = seller.get(a, reverse("disputes:seller_detail", args=[dispute.pk])).text
    [photo] = re.findall(r'src="(/evidence/\d+/thumbnail/)" alt="cable.png"', page)
    assert seller.get(b, photo).headers["Content-Type"] == "image/jpeg"

    answered = seller.post(b, reverse("disputes:seller_accept", args=[dispute.pk]), {})

    assert answered.status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.AGREED


def each_server_counts_its_requests_and_both_agree_on_the_database(a, b):
    """Prometheus scrapes each server: its gunicorn workers' counts add up, whichever
    worker answers, and the database's counts are the same from either."""

    def scrape(server):
        response = requests.get(server + "/metrics", timeout=PATIENCE)
        assert response.status_code == 200
        return samples(response.text)

    def health_checks(scraped):
        labels = {"view": "health", "method": "GET", "status": "200"}
        return value(scraped, "django_http_requests_total", **labels) or 0

    before = {server: scrape(server) for server in (a, b)}
    for server, times in ((a, 7), (b, 5)):
        for _ in range(times):
            assert requests.get(server + "/healthz", timeout=PATIENCE).status_code == 200
    after = {server: scrape(server) for server in (a, b)}

    assert health_checks(after[a]) - health_checks(before[a]) == 7
    assert health_checks(after[b]) - health_checks(before[b]) == 5
    for stage in Stage.values:
        assert value(after[a], "disputes_open", stage=stage) == value(
            after[b], "disputes_open", stage=stage
        )
    assert value(after[a], "disputes_ready", check="evidence storage") == 1


def an_api_rate_limit_counts_the_requests_of_every_server(a, b):
    _client, token = ApiClient.create("Marketplace")
    headers = {"Authorization": f"Bearer {token}"}
    events = reverse("api:events")

    def status_on(server):
        return requests.get(server + events, headers=headers, timeout=PATIENCE).status_code

    assert [status_on(server) for server in [a, b] * (API_RATE_LIMIT // 2)] == [200] * 4
    assert status_on(a) == 429
    assert status_on(b) == 429


def sign_in_links_work_once_whichever_server_opens_them(a, b, order):
    page = reverse("orders:detail", args=[order.number])
    _client, token = ApiClient.create("Marketplace sign-in")
    asked = requests.post(
        a + reverse("api:sign_in_links"),
        json={"username": "alice", "next": page},
        headers={"Authorization": f"Bearer {token}"},
        timeout=PATIENCE,
    )
    assert asked.status_code == 201, asked.text
    handoff = urlsplit(asked.json()["url"]).path
    buyer = Party()
    assert buyer.get(b, handoff, allow_redirects=False).headers["Location"] == page
    assert buyer.get(a, page, allow_redirects=False).status_code == 200  # signed in on both
    assert Party().get(a, handoff).status_code == 410  # used, though opened on the other

    secret, _link = create_link(user=order.buyer, kind=LinkKind.EMAIL, next_path=page)
    email_link = reverse("continue_as", args=[secret])
    reader, scanner = Party(), Party()
    assert "Continue as alice" in reader.get(a, email_link).text
    assert scanner.get(b, email_link).status_code == 200  # opening signs nobody in
    assert reader.post(b, email_link, {}).headers["Location"] == page
    assert scanner.post(a, email_link, {}).status_code == 410


def a_lock_out_holds_on_every_server(a, b):
    make_user("mallory-target")
    guesser = Party()
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        server = (a, b)[attempt % 2]
        guesser.get(server, reverse("login"))
        guess = {"username": "mallory-target", "password": f"guess-{attempt}"}
        assert guesser.post(server, reverse("login"), guess).status_code in (200, 429)
    for server in (a, b):
        owner = Party()
        owner.get(server, reverse("login"))
        right = {"username": "mallory-target", "password": PASSWORD}
        assert owner.post(server, reverse("login"), right).status_code == 429


def a_passed_deadline_is_acted_on_once_by_two_workers(cluster, seller):
    overdue = answerable_dispute_at(
        make_user("bob"), opened=timezone.now() - OVERDUE, seller=seller
    )
    # The deadline task is due already; more copies and a sweep make the workers collide.
    for _ in range(2):
        tasks.act_on_deadline.enqueue(overdue.pk)
        tasks.sweep_deadlines.enqueue()

    wait_until(queue_is_done, "every due task to run", cluster)

    assert overdue.events.filter(kind=EventKind.ESCALATED).count() == 1
    overdue.refresh_from_db()
    assert overdue.stage == Stage.WITH_MEDIATOR
    acted = DBTaskResult.objects.filter(
        task_path__in=[tasks.act_on_deadline.module_path, tasks.sweep_deadlines.module_path]
    ).successful()
    assert sum(result.return_value for result in acted) == 1


def a_task_whose_worker_is_killed_is_run_again_never_half_done(cluster, seller):
    dispute = answerable_dispute(make_user("carol"), seller=seller)
    deadline_task = DBTaskResult.objects.get(
        task_path=tasks.act_on_deadline.module_path, args_kwargs__args=[dispute.pk]
    )
    wait_until(queue_is_done, "the opening emails to go", cluster)
    Dispute.objects.filter(pk=dispute.pk).update(stage_deadline=timezone.now())

    # The escalation writes the dispute, then its event: the event table is held so that
    # the worker stops between the two, inside its transaction.
    with psycopg.connect(servers.database_url()) as blocker:
        blocker.execute('LOCK TABLE "disputes_disputeevent" IN SHARE MODE')
        DBTaskResult.objects.filter(pk=deadline_task.pk).update(run_after=timezone.now())
        stuck_backend = wait_until(
            blocked_insert_of_an_event, "a worker to stop at the event", cluster
        )
        deadline_task.refresh_from_db()
        assert deadline_task.status == TaskResultStatus.RUNNING
        [killed] = deadline_task.worker_ids
        cluster.workers[killed].send_signal(signal.SIGKILL)
        cluster.workers.pop(killed).wait()
        blocker.rollback()
    wait_until(lambda: not backend_alive(stuck_backend), "the killed worker's transaction to end")

    dispute.refresh_from_db()
    assert dispute.stage == Stage.WAITING_FOR_SELLER  # nothing half done
    assert not dispute.events.filter(kind=EventKind.ESCALATED).exists()
    deadline_task.refresh_from_db()
    assert deadline_task.status == TaskResultStatus.RUNNING  # and left so by the queue

    # What cron's act_on_deadlines does once the lease is over.
    lease_over = timezone.now() + timedelta(seconds=settings.TASK_LEASE_SECONDS + 1)
    assert tasks.requeue_stalled_tasks(now=lease_over) == 1
    wait_until(
        lambda: DBTaskResult.objects.filter(
            pk=deadline_task.pk, status=TaskResultStatus.SUCCESSFUL
        ).exists(),
        "the surviving worker to run the task again",
        cluster,
    )

    deadline_task.refresh_from_db()
    [survivor] = cluster.workers
    assert deadline_task.worker_ids == [killed, survivor]
    assert deadline_task.return_value is True
    dispute.refresh_from_db()
    assert dispute.stage == Stage.WITH_MEDIATOR
    assert dispute.events.filter(kind=EventKind.ESCALATED).count() == 1


def bucket_keys(cluster):
    listing = servers.s3_client(cluster.endpoint_url).list_objects_v2(Bucket=cluster.bucket)
    return sorted(entry["Key"] for entry in listing.get("Contents", []))


def queue_is_done():
    """No due task waits or runs: what is left is only for later."""
    return not (DBTaskResult.objects.ready().exists() or DBTaskResult.objects.running().exists())


def blocked_insert_of_an_event():
    """The process id of a database session waiting for a lock to insert an event."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND query LIKE %s",
            ['INSERT INTO "disputes_disputeevent"%'],
        )
        row = cursor.fetchone()
    return row and row[0]


def backend_alive(pid):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None
