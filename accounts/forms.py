from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

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
