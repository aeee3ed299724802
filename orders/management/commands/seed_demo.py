"""Demo data for a newcomer: every situation of PRODUCT.md §2, relative to today. Idempotent.

Run again after playing with the demo, it keeps what was done by hand (disputes opened,
cancelled, decided...) and says what each order's situation really is now, naming the
orders that no longer show what the demo meant; `make demo-reset` starts over.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from disputes import actions
from disputes.eligibility import ReasonCode, dispute_eligibility
from disputes.models import DisputeReason, Outcome, RefundRequest
from disputes.time_left import time_left_words
from orders.importing import import_orders
from orders.models import Order

BUYER = ("alice", "alice-demo-2026")
OTHER_BUYER = ("bob", "bob-demo-2026")
MEDIATOR = ("mediator", "mediator-demo-2026")

# (number, item, price, days ago placed / shipped / received, what the buyer will see)
SITUATIONS = [
    ("DEMO-0001", "Wireless earbuds, charging case", "39.90", 2, None, None, "not shipped"),
    ("DEMO-0002", "Phone case, clear, 6.1 inch", "8.49", 5, 3, None, "too early, in transit"),
    ("DEMO-0003", "Desk lamp, LED, dimmable", "24.00", 16, 14, None, "in transit"),
    ("DEMO-0004", "USB-C cable, 2 m, braided", "12.99", 20, 18, 3, "dispute possible"),
    ("DEMO-0005", "Smart watch strap, silicone", "6.99", 40, 38, 25, "window closed"),
    ("DEMO-0006", "Mechanical keyboard, 75%", "64.50", 8, 6, 1, "too early"),
    ("DEMO-0007", "Bluetooth speaker, waterproof", "29.99", 20, 17, 5, "dispute open"),
    ("DEMO-0008", "Running shoes, size 42", "54.00", 30, 27, 12, "decided against you"),
    ("DEMO-0009", "Kitchen scale, digital", "15.75", 22, 19, 4, "cancelled, can be reopened"),
    ("DEMO-0010", "Sunglasses, polarised", "19.90", 35, 30, 14, "refunded in full"),
]
# How the order page's reasons are said in the situations above.
REASON_WORDS = {
    ReasonCode.NOT_SHIPPED: "not shipped",
    ReasonCode.TOO_EARLY: "too early",
    ReasonCode.IN_TRANSIT: "in transit",
    ReasonCode.WINDOW_CLOSED: "window closed",
    ReasonCode.DISPUTE_OPEN: "dispute open",
}
HISTORY_ORDERS = 24  # older, received orders so the list has more than one page


def order_record(number, item, price, placed, shipped, received, username, now):
    def ago(days):
        return None if days is None else (now - timedelta(days=days)).isoformat()

    return {
        "number": number,
        "buyer": {"username": username, "email": f"{username}@example.com"},
        "seller": "Shenzhen Gadget Store" if int(number[-1]) % 2 else "Lyon Outlet",
        "item": item,
        "description": f"{item}. Sold and shipped by the seller.",
        "price": price,
        "currency": "EUR",
        "placed_at": ago(placed),
        "shipped_at": ago(shipped),
        "received_at": ago(received),
    }


class Command(BaseCommand):
    help = "Load demo buyers, a mediator and orders in every dispute situation (idempotent)."

    # The demo's past decisions would otherwise print their emails on every run.
    @override_settings(
        MAILERS={"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
    )
    @transaction.atomic
    def handle(self, *args, **options):
        now = timezone.now()
        for (username, password), staff in ((BUYER, False), (OTHER_BUYER, False), (MEDIATOR, True)):
            self._user(username, password, staff=staff)
        records = [
            order_record(number, item, price, placed, shipped, received, BUYER[0], now)
            for number, item, price, placed, shipped, received, _label in SITUATIONS
        ]
        records += [
            order_record(
                f"DEMO-1{index:03d}",
                f"Past purchase #{index}",
                "9.99",
                60 + index * 7,
                58 + index * 7,
                50 + index * 7,
                BUYER[0],
                now,
            )
            for index in range(HISTORY_ORDERS)
        ]
        records.append(
            order_record("DEMO-9001", "Bob's headphones", "49.00", 20, 18, 3, OTHER_BUYER[0], now)
        )
        import_orders(records)
        self._disputes(now)
        self._print_logins()
        self._print_situations(now)

    def _user(self, username, password, *, staff):
        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        # The mediator is staff, not a superuser: what a real mediator's account would be.
        user.is_staff = staff
        user.set_password(password)
        user.save()

    def _disputes(self, now):
        buyer = get_user_model().objects.get(username=BUYER[0])
        mediator = get_user_model().objects.get(username=MEDIATOR[0])

        def open_on(number, days_ago, **answers):
            order = Order.objects.get(number=number)
            if order.disputes.exists():
                return None
            answers = {
                "reason": DisputeReason.DEFECTIVE,
                "refund_request": RefundRequest.FULL,
                "description": "It stopped working on the second day; the photos show the fault.",
                **answers,
            }
            return actions.open_dispute(
                order=order, buyer=buyer, now=now - timedelta(days=days_ago), **answers
            )

        open_on("DEMO-0007", 2, reason=DisputeReason.NOT_AS_DESCRIBED)
        if dispute := open_on("DEMO-0008", 8, reason=DisputeReason.COUNTERFEIT):
            actions.decide_dispute(
                dispute=dispute,
                mediator=mediator,
                outcome=Outcome.REJECTED,
                note="The photos do not show a fault we can attribute to the seller.",
                now=now - timedelta(days=6),
            )
        if dispute := open_on(
            "DEMO-0009", 3, refund_request=RefundRequest.PARTIAL, requested_amount=Decimal("5.00")
        ):
            actions.cancel_dispute(dispute=dispute, buyer=buyer, now=now - timedelta(days=1))
        if dispute := open_on("DEMO-0010", 12):
            actions.decide_dispute(
                dispute=dispute,
                mediator=mediator,
                outcome=Outcome.FULL_REFUND,
                note="The seller agreed the item was faulty.",
                now=now - timedelta(days=10),
            )

    def _print_logins(self):
        self.stdout.write(self.style.SUCCESS(f"Demo data is ready. Log in at {settings.SITE_URL}"))
        self.stdout.write(f"  buyer:    {BUYER[0]} / {BUYER[1]}")
        self.stdout.write(f"  buyer 2:  {OTHER_BUYER[0]} / {OTHER_BUYER[1]}")
        self.stdout.write(f"  mediator: {MEDIATOR[0]} / {MEDIATOR[1]}  (admin: /admin/)")

    def _print_situations(self, now):
        """Each demo order as its page shows it now, which is not always what the demo
        meant: what was done by hand since the demo was loaded is kept."""
        orders = Order.objects.filter(number__in=[s[0] for s in SITUATIONS])
        orders = {order.number: order for order in orders.prefetch_related("disputes")}
        changed = []
        for number, *_rest, meant in SITUATIONS:
            order = orders[number]
            situation, left = describe(order, now)
            line = f"  order {number}: {situation}{f' ({left} left)' if left else ''}"
            if situation != meant:
                changed.append(number)
                line += f"  [changed by hand; the demo had: {meant}]"
            self.stdout.write(line)
        if changed:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(changed)} demo order(s) were changed by hand and are kept as they are"
                    " (their dates follow today). To start over: make demo-reset"
                )
            )


def describe(order, now):
    """The order's dispute situation in a few words, and the time left to open one."""
    eligibility = dispute_eligibility(order, order.disputes.all(), now=now)
    if eligibility.allowed:
        left = time_left_words(eligibility.time_left)
        if eligibility.is_reopen:
            return "cancelled, can be reopened", left
        return "dispute possible", left
    words = []
    for reason in eligibility.reasons:
        if reason.code == ReasonCode.ALREADY_DECIDED:
            words.append(decision_words(reason.dispute))
        else:
            words.append(REASON_WORDS[reason.code])
    return ", ".join(words), None


def decision_words(dispute):
    if dispute.is_against_buyer:
        return "decided against you"
    if dispute.outcome == Outcome.FULL_REFUND:
        return "refunded in full"
    return "partially refunded, as asked"
