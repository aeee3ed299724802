from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .lockout import lockout_message


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
    pass


class AdminLoginForm(LockoutMessageMixin, AdminAuthenticationForm):
    pass


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
