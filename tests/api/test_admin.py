"""Staff create, rotate and revoke clients in the admin (token and secret shown once), and
follow each webhook delivery with its attempts, sending one again."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from api.models import ApiClient, WebhookDelivery, hash_token
from tests.api.conftest import Api
from tests.conftest import run_tasks
from tests.disputes.builders import decided_dispute as rejected_dispute
from tests.disputes.builders import make_mediator

pytestmark = pytest.mark.django_db

CLIENTS = "/admin/api/apiclient/"
DELIVERIES = "/admin/api/webhookdelivery/"
ACTIONS = ["rotate_token", "rotate_webhook_secret", "revoke"]


@pytest.fixture
def admin_client(client):
    admin = get_user_model().objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(admin)
    return client


def confirmed(action, *clients):
    """The POST of an action's confirmation page."""
    return {
        "action": action,
        "_selected_action": [client.pk for client in clients],
        "confirmed": "yes",
    }


def shown(response, prefix):
    return re.findall(rf"<code>({prefix}[\w+/=-]+)</code>", response.content.decode())


def test_creating_a_client_shows_its_token_and_secret_once(admin_client):
    response = admin_client.post(
        f"{CLIENTS}add/", {"name": "Marketplace", "webhook_url": "https://hooks.example/x"}
    )
    assert response.status_code == 200
    [token], [secret] = shown(response, "dcapi_"), shown(response, "whsec_")
    client = ApiClient.objects.get()
    assert client.token_hash == hash_token(token)
    assert client.webhook_secret == secret
    assert token not in admin_client.get(f"{CLIENTS}{client.pk}/change/").content.decode()
    assert token not in str(response.cookies)
    assert Api(admin_client, token).get("/events/").status_code == 200


@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_asks_to_confirm_first_and_changes_nothing_until_then(
    admin_client, marketplace, action
):
    before = ApiClient.objects.values().get()
    response = admin_client.post(CLIENTS, {"action": action, "_selected_action": [marketplace.pk]})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="confirmed" value="yes"' in page
    assert f'name="action" value="{action}"' in page
    assert f'name="_selected_action" value="{marketplace.pk}"' in page
    assert "Marketplace" in page
    assert shown(response, "dcapi_") == shown(response, "whsec_") == []
    assert ApiClient.objects.values().get() == before


def test_rotating_a_token_shows_the_new_one_and_the_old_one_works_24_hours(
    admin_client, marketplace
):
    response = admin_client.post(CLIENTS, confirmed("rotate_token", marketplace))
    [token] = shown(response, "dcapi_")
    assert shown(response, "whsec_") == []
    api = Api(admin_client, token)
    assert api.get("/events/").status_code == 200
    assert api.get("/events/", token=marketplace.token).status_code == 200
    marketplace.refresh_from_db()
    overlap = marketplace.previous_token_valid_until - marketplace.token_issued_at
    assert overlap == timedelta(hours=24)


def test_rotating_the_webhook_secret(admin_client, marketplace):
    old = marketplace.webhook_secret
    response = admin_client.post(CLIENTS, confirmed("rotate_webhook_secret", marketplace))
    [secret] = shown(response, "whsec_")
    marketplace.refresh_from_db()
    assert marketplace.webhook_secret == secret
    assert marketplace.signing_secrets(timezone.now()) == [secret, old]


def test_revoking_a_client(admin_client, marketplace):
    admin_client.post(CLIENTS, confirmed("revoke", marketplace))
    marketplace.refresh_from_db()
    assert marketplace.is_revoked
    assert Api(admin_client, marketplace.token).get("/events/").status_code == 401
    response = admin_client.post(CLIENTS, confirmed("rotate_token", marketplace), follow=True)
    assert "is revoked: nothing was issued" in response.content.decode()


def test_staff_choose_a_clients_webhook_events(admin_client, marketplace):
    page = admin_client.get(f"{CLIENTS}{marketplace.pk}/change/").content.decode()
    assert re.search(r'value="dispute.decided"[^>]*checked', page)
    admin_client.post(
        f"{CLIENTS}{marketplace.pk}/change/",
        {
            "name": marketplace.name,
            "webhook_url": "https://hooks.example/x",
            "webhook_types": ["dispute.opened", "dispute.escalated"],
        },
    )
    marketplace.refresh_from_db()
    assert marketplace.webhook_types == ["dispute.opened", "dispute.escalated"]


def staff_with(client, *codenames):
    user = get_user_model().objects.create_user("clients", "clients@example.com", "pw")
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return client


@pytest.mark.parametrize("action", ACTIONS)
def test_staff_who_may_only_view_clients_cannot_run_their_actions(client, marketplace, action):
    before = ApiClient.objects.values().get()
    viewer = staff_with(client, "view_apiclient")
    assert f'value="{action}"' not in viewer.get(CLIENTS).content.decode()
    response = viewer.post(CLIENTS, confirmed(action, marketplace))
    assert response.status_code == 200
    assert shown(response, "dcapi_") == shown(response, "whsec_") == []
    assert ApiClient.objects.values().get() == before


@pytest.mark.parametrize("action", ACTIONS)
def test_staff_who_may_change_clients_run_their_actions(client, marketplace, action):
    before = ApiClient.objects.values().get()
    editor = staff_with(client, "view_apiclient", "change_apiclient")
    assert f'value="{action}"' in editor.get(CLIENTS).content.decode()
    editor.post(CLIENTS, confirmed(action, marketplace))
    assert ApiClient.objects.values().get() != before


def test_mediators_do_not_manage_clients(client, marketplace):
    client.force_login(make_mediator())
    assert client.get(CLIENTS).status_code == 403


def test_a_delivery_shows_its_attempts_and_can_be_sent_again(admin_client, marketplace, buyer):
    rejected_dispute(buyer)
    run_tasks()  # nothing listens on that port: an error is recorded
    delivery = WebhookDelivery.objects.get()
    page = admin_client.get(f"{DELIVERIES}{delivery.pk}/change/").content.decode()
    assert delivery.event_id in page
    assert "dispute.decided" in page
    assert "Connection refused" in delivery.attempt_log.get().error
    assert "Connection refused" in page
    listing = admin_client.get(DELIVERIES).content.decode()
    assert "Pending" in listing

    admin_client.post(DELIVERIES, {"action": "send_again", "_selected_action": [delivery.pk]})
    run_tasks()
    assert delivery.attempt_log.count() == 2
