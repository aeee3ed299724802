"""Delete the sign-in links that expired long ago. Run it daily."""

from django.core.management.base import BaseCommand

from accounts.sign_in_links import KEEP_SPENT_LINKS, delete_spent_links


class Command(BaseCommand):
    help = f"Delete the sign-in links that expired more than {KEEP_SPENT_LINKS.days} days ago."

    def handle(self, **options):
        deleted = delete_spent_links()
        self.stdout.write(self.style.SUCCESS(f"Removed {deleted} spent sign-in links."))
