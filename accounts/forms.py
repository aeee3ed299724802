from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_otp.forms import OTPAuthenticationFormMixin

from .lockout import lockout_message
from .second_factor import device_for_code, second_factor_required


class LockoutMessageMixin:
    """A login refused because of too many failures says so, and for how long, instead of
    "wrong password" (even when the password was right)."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                raise ValidationError(lockout_message(), code="locked_out") from None
            raise


class LoginForm(LockoutMessageMixin, AuthenticationForm):
    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        # Staff would otherwise reach what mediators see with a password alone.
        if user.is_staff and second_factor_required():
            raise ValidationError(
                _("Staff sign in to the administration, with their second factor."),
                code="staff_use_admin",
            )


class AdminLoginForm(LockoutMessageMixin, OTPAuthenticationFormMixin, AdminAuthenticationForm):
    """The admin's login: a password, and a code when the second factor is required (from
    the authenticator app or a recovery code, each of those usable once)."""

    otp_token = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    otp_error_messages = {
        **OTPAuthenticationFormMixin.otp_error_messages,
        "token_required": _("Enter the code from your authenticator app, or a recovery code."),
        "device_required": _(
            "This account has no second factor yet: an administrator sets one up for it."
        ),
    }

    def clean(self):
        data = super().clean()
        if second_factor_required() and (user := self.get_user()) is not None:
            device = device_for_code(user, data.get("otp_token") or "")
            data["otp_device"] = device.persistent_id if device else None
            self.clean_otp(user)
        return data


class EmailLinkForm(forms.Form):
    """Asks for a sign-in link by email: with an address (the login page) or with the token
    of an email's link that no longer works (its page)."""

    email = forms.EmailField(label=_("Email address"), required=False)
    token = forms.CharField(required=False, widget=forms.HiddenInput, max_length=100)
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("token"):
            self.add_error("email", _("Enter the email address of your account."))
        return data
