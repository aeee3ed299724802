"""Staff's second factor in the admin (django-otp): whether it is asked for, and giving an
account its authenticator app's key and recovery codes."""

import re
from base64 import b32encode
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User

RECOVERY_CODES = 10


def second_factor_required() -> bool:
    """Whether the admin asks staff for a code after their password."""
    return bool(settings.ADMIN_REQUIRE_SECOND_FACTOR)


def device_for_code(user: User, code: str) -> Device | None:
    """The device ``code`` is checked against: six digits come from the authenticator app,
    anything else is a recovery code. Checking only that one keeps a mistyped code from
    counting as a failure against the other (django-otp throttles each device)."""
    model = TOTPDevice if re.fullmatch(r"\d{6}", code.strip()) else StaticDevice
    return model.objects.filter(user=user, confirmed=True).first()


@dataclass(frozen=True)
class NewSecondFactor:
    """What to hand the account's owner once: the app's key and the recovery codes."""

    otpauth_uri: str
    secret: str
    recovery_codes: list[str]


@transaction.atomic
def replace_second_factor(*, user: User) -> NewSecondFactor:
    """Give ``user`` a new authenticator key and recovery codes; the old ones stop working."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    totp = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    recovery = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    return NewSecondFactor(
        otpauth_uri=totp.config_url,
        secret=b32encode(totp.bin_key).decode(),
        recovery_codes=codes,
    )
