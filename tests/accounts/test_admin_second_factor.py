"""Staff sign in to the admin with a password and a code when ADMIN_REQUIRE_SECOND_FACTOR is
on: the code of their authenticator app, or a recovery code, each used once."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.second_factor import RECOVERY_CODES, replace_second_factor
from tests.factories import make_mediator

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/"
PASSWORD = "correct-horse-battery"


@pytest.fixture
def second_factor_required(settings):
    settings.ADMIN_REQUIRE_SECOND_FACTOR = True


def log_in(client, token=None):
    data = {"username": "mediator", "password": PASSWORD, "next": "/admin/"}
    if token is not None:
        data["otp_token"] = token
    return client.post(ADMIN_LOGIN, data)


def current_code(user):
    device = TOTPDevice.objects.get(user=user)
    return (
        f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=0):06d}"
    )


def can_use_the_admin(client):
    return client.get(reverse("admin:index")).status_code == 200


def test_the_password_alone_is_refused(client, second_factor_required):
    replace_second_factor(user=make_mediator())

    response = log_in(client)

    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", "token_required")
    assert not can_use_the_admin(client)


def test_the_password_and_the_apps_current_code_are_let_in(client, second_factor_required):
    mediator = make_mediator()
    replace_second_factor(user=mediator)

    response = log_in(client, current_code(mediator))

    assert response.status_code == 302, response.context["form"].errors
    assert can_use_the_admin(client)


def test_a_wrong_code_is_refused(client, second_factor_required):
    mediator = make_mediator()
    replace_second_factor(user=mediator)
    wrong = f"{(int(current_code(mediator)) + 1) % 1_000_000:06d}"

    assert log_in(client, wrong).status_code == 200
    assert not can_use_the_admin(client)


def test_a_recovery_code_works_once(client, second_factor_required):
    codes = replace_second_factor(user=make_mediator()).recovery_codes

    assert log_in(client, codes[0]).status_code == 302
    assert can_use_the_admin(client)
    client.logout()

    again = log_in(client, codes[0])
    assert again.context["form"].has_error("__all__", "invalid_token")
    assert not can_use_the_admin(client)


def test_staff_without_a_device_cannot_use_the_admin(client, second_factor_required):
    make_mediator()

    response = log_in(client, "123456")
    assert response.context["form"].has_error("__all__", "device_required")
    assert not can_use_the_admin(client)


def test_a_session_signed_in_with_the_password_alone_is_asked_for_the_code(
    client, second_factor_required
):
    client.force_login(make_mediator())

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.url.startswith(ADMIN_LOGIN)


def test_without_the_setting_the_password_is_enough_and_the_page_says_so(client, settings):
    settings.ADMIN_REQUIRE_SECOND_FACTOR = False
    make_mediator()

    page = client.get(ADMIN_LOGIN).content.decode()
    assert "is not asked for here" in page
    assert 'name="otp_token"' not in page
    assert log_in(client).status_code == 302
    assert can_use_the_admin(client)


def test_with_the_setting_the_login_page_asks_for_the_code(client, second_factor_required):
    page = client.get(ADMIN_LOGIN).content.decode()

    assert "a code from their authenticator app" in page
    assert 'name="otp_token"' in page


def test_the_command_prints_the_key_and_ten_recovery_codes(capsys):
    mediator = make_mediator()

    call_command("add_totp_device", "mediator")

    printed = capsys.readouterr().out
    device = TOTPDevice.objects.get(user=mediator)
    assert "otpauth://totp/" in printed
    assert device.config_url in printed
    codes = StaticToken.objects.filter(device__user=mediator).values_list("token", flat=True)
    assert len(codes) == RECOVERY_CODES
    assert all(code in printed for code in codes)


def test_the_command_replaces_the_old_key(capsys):
    mediator = make_mediator()
    old = replace_second_factor(user=mediator)

    call_command("add_totp_device", "mediator")

    assert TOTPDevice.objects.filter(user=mediator).count() == 1
    assert not StaticToken.objects.filter(token__in=old.recovery_codes).exists()


def test_staff_cannot_sign_in_on_the_site_with_a_password_alone(client, second_factor_required):
    make_mediator("mediator")
    response = client.post(
        reverse("login"), {"username": "mediator", "password": PASSWORD, "next": "/orders/"}
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", "staff_use_admin")
    assert "_auth_user_id" not in client.session


def test_without_the_setting_staff_may_sign_in_on_the_site(client, settings):
    settings.ADMIN_REQUIRE_SECOND_FACTOR = False
    make_mediator("mediator")
    response = client.post(reverse("login"), {"username": "mediator", "password": PASSWORD})
    assert response.status_code == 302
