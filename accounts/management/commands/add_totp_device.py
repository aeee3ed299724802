"""Give a staff account its authenticator app's key and ten recovery codes, replacing any it
had, and print them once (the admin asks for a code when ADMIN_REQUIRE_SECOND_FACTOR is on)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.second_factor import replace_second_factor


class Command(BaseCommand):
    help = "Give a staff account a new authenticator key and recovery codes, and print them."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account is named {username!r}.")
        if not user.is_staff:
            raise CommandError(f"{username} is not staff: only staff sign in to the admin.")
        new = replace_second_factor(user=user)
        self.stdout.write(
            f"Add this to {username}'s authenticator app (as a QR code or by hand):\n"
            f"  {new.otpauth_uri}\n  secret: {new.secret}\n"
            "Recovery codes, each usable once (keep them apart from the phone):"
        )
        for code in new.recovery_codes:
            self.stdout.write(f"  {code}")
