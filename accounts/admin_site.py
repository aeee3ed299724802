"""The admin's site: staff sign in with a password and, when ``ADMIN_REQUIRE_SECOND_FACTOR``
is on, a code from their authenticator app or a recovery code (django-otp)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from .forms import AdminLoginForm
from .second_factor import second_factor_required


class StaffAdminSite(admin.AdminSite):
    login_form = AdminLoginForm

    def has_permission(self, request: HttpRequest) -> bool:
        # A session signed in with the password alone (say, before the setting was turned
        # on) is sent back to the login page, to give its code.
        return super().has_permission(request) and (
            not second_factor_required() or request.user.is_verified()  # type: ignore[union-attr]
        )

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return super().login(
            request, {**(extra_context or {}), "second_factor_required": second_factor_required()}
        )
