"""Demo data for a newcomer, relative to today: every situation of PRODUCT.md §2, and a
dispute in every stage of §4a with a seller who signs in, so each part (buyer, seller,
mediator) can be played. Idempotent.

Run again after playing with the demo, it keeps what was done by hand (disputes opened,
answered, cancelled, decided...) and says what each order's situation really is now,
naming the orders that no longer show what the demo meant; `make demo-reset` starts over.
"""

import json
import shlex
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from axes.utils import reset as reset_login_failures
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.roles import mediators_group
from accounts.sign_in_links import LinkKind, create_link, url_of
from api.models import ApiClient
from disputes import actions, refunds, tasks
from disputes.eligibility import ReasonCode, dispute_eligibility
from disputes.models import (
    DecisionReason,
    DisputeReason,
    Outcome,
    Party,
    RefundInstruction,
    RefundRequest,
    SavedReply,
    Stage,
)
from disputes.time_left import time_left_words
from orders.importing import import_orders
from orders.models import Order

BUYER = ("alice", "alice-demo-2026")
OTHER_BUYER = ("bob", "bob-demo-2026")
SELLER = ("szgadget", "szgadget-demo-2026")
MEDIATOR = ("mediator", "mediator-demo-2026")
# Alice's id at the marketplace: the hand-off and single sign-on find her by it.
MARKETPLACE_IDS = {BUYER[0]: "mkt-alice"}
# The API client the printed `curl` acts as; its token is new at every run.
API_CLIENT = "Demo marketplace"
# The identities of `make run SSO=1`'s OpenID provider (oidc-provider-mock, scripts/run-dev.sh).
SSO_IDENTITIES = Path(__file__).resolve().parents[2] / "sso_identities.json"
# The seller of the odd-numbered orders answers its disputes; "Lyon Outlet" has no account.
SELLER_WITH_ACCOUNT = {
    "name": "Shenzhen Gadget Store",
    "username": SELLER[0],
    "email": "disputes@szgadget.example",
    # Where buyers send an item back before a refund (PRODUCT.md §4e).
    "return_address": "Shenzhen Gadget Store, EU returns\n12 rue des Retours\n69007 Lyon\nFrance",
}

# (number, item, price, days ago placed / shipped / received, what the buyer will see)
SITUATIONS = [
    ("DEMO-0001", "Wireless earbuds, charging case", "39.90", 2, None, None, "not shipped"),
    ("DEMO-0002", "Phone case, clear, 6.1 inch", "8.49", 5, 3, None, "too early, in transit"),
    ("DEMO-0003", "Desk lamp, LED, dimmable", "24.00", 16, 14, None, "in transit"),
    ("DEMO-0004", "USB-C cable, 2 m, braided", "12.99", 20, 18, 3, "dispute possible"),
    ("DEMO-0005", "Smart watch strap, silicone", "6.99", 40, 38, 25, "window closed"),
    ("DEMO-0006", "Mechanical keyboard, 75%", "64.50", 8, 6, 1, "too early"),
    ("DEMO-0007", "Bluetooth speaker, waterproof", "29.99", 20, 17, 5, "waiting for the seller"),
    ("DEMO-0008", "Running shoes, size 42", "54.00", 30, 27, 12, "decided against you"),
    ("DEMO-0009", "Kitchen scale, digital", "15.75", 22, 19, 4, "cancelled, can be reopened"),
    ("DEMO-0010", "Sunglasses, polarised", "19.90", 35, 30, 14, "refunded in full"),
    ("DEMO-0011", "Power bank, 20000 mAh", "27.50", 22, 20, 6, "an offer waits for the buyer"),
    ("DEMO-0013", "Hair dryer, foldable", "32.00", 24, 22, 8, "with a mediator"),
    ("DEMO-0015", "Webcam, 1080p", "41.90", 26, 24, 9, "the seller is asked for information"),
    ("DEMO-0017", "Yoga mat, 6 mm", "22.00", 30, 28, 14, "ended by agreement"),
    # Returning the item before the refund (PRODUCT.md §4e), in each of its stages.
    ("DEMO-0019", "Electric kettle, 1.7 l", "34.90", 20, 18, 6, "the item is to be returned"),
    ("DEMO-0021", "Bluetooth mouse, silent", "17.50", 25, 23, 10, "the return is on its way"),
    ("DEMO-0023", "Tablet stand, aluminium", "21.00", 24, 22, 12, "ended by agreement"),
    # The refund of each outcome as the marketplace reported it (PRODUCT.md §4f): DEMO-0017's
    # is still instructed (late: in the mediators' queue), DEMO-0010's was sent, DEMO-0018's
    # failed; DEMO-0020's decision was replaced on appeal, and its refund sent.
    ("DEMO-0018", "Electric toothbrush", "45.00", 24, 22, 9, "partially refunded, as asked"),
    ("DEMO-0020", "Hair straightener, ceramic", "17.50", 30, 27, 14, "refunded in full"),
    # A parcel that never arrived (PRODUCT.md §2a): its promised dates are in DELIVERY_BY.
    ("DEMO-0025", "Travel adapter, universal", "17.90", 30, 28, None, "in transit"),
    ("DEMO-0027", "Bike light set, USB", "21.50", 50, 48, None, "not received, dispute possible"),
    ("DEMO-0029", "Camping lantern", "26.00", 55, 52, None, "not received, waiting for the seller"),
    ("DEMO-0031", "Thermos, 1 l", "18.40", 56, 54, None, "a new delivery date waits for the buyer"),
]
# The delivery date promised, in days ago (negative: still to come), where the marketplace
# sends one; the other orders' is 60 days after shipment.
DELIVERY_BY = {"DEMO-0025": -5, "DEMO-0027": 3, "DEMO-0029": 6, "DEMO-0031": 7}
# Bob's orders, all from the seller with an account.
OTHER_SITUATIONS = [
    ("DEMO-9001", "Bob's headphones", "49.00", 20, 18, 3, "dispute possible"),
    ("DEMO-9003", "Bob's phone charger", "18.00", 21, 19, 4, "waiting for the seller"),
    ("DEMO-9005", "Bob's backpack", "35.00", 25, 23, 7, "the buyer is asked for information"),
]
# How the order page's reasons, and an open dispute's stage, are said in the situations.
REASON_WORDS = {
    ReasonCode.NOT_SHIPPED: "not shipped",
    ReasonCode.TOO_EARLY: "too early",
    ReasonCode.IN_TRANSIT: "in transit",
    ReasonCode.WINDOW_CLOSED: "window closed",
    ReasonCode.ALREADY_AGREED: "ended by agreement",
}
STAGE_WORDS = {
    Stage.WAITING_FOR_SELLER: "waiting for the seller",
    Stage.OFFER_WAITING_FOR_BUYER: "an offer waits for the buyer",
    Stage.WITH_MEDIATOR: "with a mediator",
    Stage.INFORMATION_REQUESTED: "the {party} is asked for information",
    Stage.NOT_RECEIVED_WAITING_FOR_SELLER: "not received, waiting for the seller",
    Stage.EXTENSION_WAITING_FOR_BUYER: "a new delivery date waits for the buyer",
    Stage.RETURN_TO_SHIP: "the item is to be returned",
    Stage.RETURN_ON_ITS_WAY: "the return is on its way",
}
HISTORY_ORDERS = 24  # older, received orders so the list has more than one page


# French text uses the typographic apostrophe, as the translation does.
SAVED_REPLIES = [
    (
        "Photo of the label",
        "About order {order_number}: please send a photo of the item's label and of the box "
        "it came in, before {reply_by}.",
        "Concernant la commande {order_number} : merci d’envoyer une photo de l’étiquette de "  # noqa: RUF001
        "l’article et du carton dans lequel il est arrivé, avant le {reply_by}.",  # noqa: RUF001
    ),
    (
        "Partial refund granted",
        "The item works but not as described: a partial refund is fair. You paid {price} and "
        "asked for {requested_amount}.",
        "L’article fonctionne mais pas comme décrit : un remboursement partiel est juste. Vous "  # noqa: RUF001
        "avez payé {price} et demandé {requested_amount}.",
    ),
]


def order_record(number, item, price, placed, shipped, received, username, now):
    def ago(days):
        return None if days is None else (now - timedelta(days=days)).isoformat()

    buyer = {"username": username, "email": f"{username}@example.com"}
    if username in MARKETPLACE_IDS:
        buyer["id"] = MARKETPLACE_IDS[username]
    return {
        "number": number,
        "buyer": buyer,
        "seller": SELLER_WITH_ACCOUNT if int(number[-1]) % 2 else "Lyon Outlet",
        "item": item,
        "description": f"{item}. Sold and shipped by the seller.",
        "price": price,
        "currency": "EUR",
        "placed_at": ago(placed),
        "shipped_at": ago(shipped),
        "received_at": ago(received),
        "delivery_by": ago(DELIVERY_BY.get(number)),
    }


class Command(BaseCommand):
    help = (
        "Load demo buyers, a seller, a mediator, orders in every situation and disputes in "
        "every stage (idempotent)."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        if settings.PRODUCTION:
            # It sets known passwords and prints a working API token and sign-in links.
            raise CommandError("seed_demo is for development only: DJANGO_ENV=production.")
        now = timezone.now()
        for (username, password), staff in (
            (BUYER, False),
            (OTHER_BUYER, False),
            (SELLER, False),
            (MEDIATOR, True),
        ):
            self._user(username, password, staff=staff)
        records = [
            order_record(number, item, price, placed, shipped, received, username, now)
            for username, situations in ((BUYER[0], SITUATIONS), (OTHER_BUYER[0], OTHER_SITUATIONS))
            for number, item, price, placed, shipped, received, _label in situations
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
        # An order whose receipt a buyer confirmed by hand keeps its dates: the demo's,
        # which follow today, would ship it after its receipt.
        confirmed = Order.objects.filter(receipt_confirmed_at__isnull=False)
        kept = set(confirmed.values_list("number", flat=True))
        import_orders([record for record in records if record["number"] not in kept])
        self._disputes(now)
        self._saved_replies()
        # The demo's history happened in the past: its emails are not sent now. What a
        # newcomer does next is emailed by the worker (printed in the `make run` console).
        DBTaskResult.objects.filter(
            task_path=tasks.send_event_emails.module_path, enqueued_at__gte=now
        ).delete()
        self._print_logins()
        self._print_sign_in_links()
        self._print_situations(now)

    def _user(self, username, password, *, staff):
        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        # The mediator is staff in the Mediators group, not a superuser: what a real
        # mediator's account would be.
        user.is_staff = staff
        user.set_password(password)
        user.save()
        if staff:
            user.groups.add(mediators_group())
        # The printed logins work again even if someone locked them out by guessing.
        reset_login_failures(username=username)

    def _disputes(self, now):
        users = get_user_model().objects.in_bulk([SELLER[0], MEDIATOR[0]], field_name="username")
        seller, mediator = users[SELLER[0]], users[MEDIATOR[0]]

        def ago(days):
            return now - timedelta(days=days)

        def open_on(number, days_ago, **answers):
            """Open a dispute on ``number`` ``days_ago``; None if it has one already."""
            order = Order.objects.select_related("buyer").get(number=number)
            if order.disputes.exists():
                return None
            answers = {
                "reason": DisputeReason.DEFECTIVE,
                "refund_request": RefundRequest.FULL,
                "description": "It stopped working on the second day; the photos show the fault.",
                **answers,
            }
            return actions.open_dispute(
                order=order, buyer=order.buyer, now=ago(days_ago), **answers
            )

        def decided(number, days_ago, decided_days_ago, outcome, why, note, amount=None, **answers):
            if dispute := open_on(number, days_ago, **answers):
                return actions.decide_dispute(
                    reason=why,
                    dispute=dispute,
                    mediator=mediator,
                    outcome=outcome,
                    refund_amount=amount,
                    note=note,
                    now=ago(decided_days_ago),
                )
            return None

        def marketplace_reports(dispute, days_ago, *, reference=None, failure=None):
            """The marketplace reports the dispute's standing refund sent, or failed."""
            refund = RefundInstruction.objects.live().filter(dispute=dispute).latest("pk")
            if failure:
                refunds.report_failed(refund_id=refund.public_id, reason=failure, now=ago(days_ago))
            else:
                refunds.report_executed(
                    refund_id=refund.public_id,
                    reference=reference,
                    executed_at=ago(days_ago),
                    now=ago(days_ago),
                )

        def refused(number, days_ago, refused_days_ago):
            if dispute := open_on(number, days_ago, reason=DisputeReason.NOT_AS_DESCRIBED):
                return actions.refuse_request(
                    dispute=dispute,
                    seller=seller,
                    statement="The item was tested before shipping and matches the listing.",
                    now=ago(refused_days_ago),
                )
            return None

        def asked(number, party, question):
            """Refused five days ago, then a mediator asked ``party`` yesterday."""
            if dispute := refused(number, 5, refused_days_ago=3):
                actions.request_information(
                    dispute=dispute, mediator=mediator, party=party, message=question, now=ago(1)
                )

        open_on("DEMO-0007", 2, reason=DisputeReason.NOT_AS_DESCRIBED)
        decided(
            "DEMO-0008",
            8,
            6,
            Outcome.REJECTED,
            DecisionReason.NOT_ENOUGH_EVIDENCE,
            "The photos do not show a fault we can attribute to the seller.",
            reason=DisputeReason.COUNTERFEIT,
        )
        if dispute := open_on(
            "DEMO-0009", 3, refund_request=RefundRequest.PARTIAL, requested_amount=Decimal("5.00")
        ):
            actions.cancel_dispute(dispute=dispute, buyer=dispute.order.buyer, now=ago(1))
        if dispute := decided(
            "DEMO-0010",
            12,
            10,
            Outcome.FULL_REFUND,
            DecisionReason.EVIDENCE_SHOWS_DEFECT,
            "The seller agreed the item was faulty.",
        ):
            marketplace_reports(dispute, 8, reference="MKT-RF-10432")
        if dispute := decided(
            "DEMO-0018",
            8,
            5,
            Outcome.PARTIAL_REFUND,
            DecisionReason.PARTLY_JUSTIFIED,
            "The brush head is missing: the refund covers it.",
            amount=Decimal("9.00"),
            refund_request=RefundRequest.PARTIAL,
            requested_amount=Decimal("9.00"),
            reason=DisputeReason.MISSING_PARTS,
        ):
            marketplace_reports(dispute, 4, failure="The buyer's card has expired.")
        if dispute := decided(
            "DEMO-0020",
            13,
            12,
            Outcome.REJECTED,
            DecisionReason.ITEM_AS_DESCRIBED,
            "The straightener works with the plugs it lists.",
            reason=DisputeReason.NOT_AS_DESCRIBED,
        ):
            appeal = actions.send_appeal(
                dispute=dispute,
                appellant=dispute.order.buyer,
                message="It has no UK plug, which the listing shows: here is the listing.",
                now=ago(11),
            )
            actions.answer_appeal(
                appeal=appeal,
                mediator=mediator,
                answer="The listing shows a UK plug the straightener does not have: a full refund.",
                reason=DecisionReason.NOT_AS_DESCRIBED,
                outcome=Outcome.FULL_REFUND,
                now=ago(9),
            )
            marketplace_reports(dispute, 7, reference="MKT-RF-10877")

        # A dispute in every stage with the seller who signs in (PRODUCT.md §4a).
        if dispute := open_on(
            "DEMO-0011", 4, refund_request=RefundRequest.PARTIAL, requested_amount=Decimal("15.00")
        ):
            actions.make_offer(dispute=dispute, seller=seller, amount=Decimal("8.00"), now=ago(1))
        if dispute := refused("DEMO-0013", 5, refused_days_ago=3):
            # The mediators' "Assigned to me" filter lists it for the demo's mediator.
            actions.assign_dispute(
                dispute=dispute, mediator=mediator, assignee=mediator, now=ago(2)
            )
        asked(
            "DEMO-0015",
            Party.SELLER,
            "Please send a photo of the webcam's label and of the box you shipped.",
        )
        if dispute := open_on(
            "DEMO-0017", 10, refund_request=RefundRequest.PARTIAL, requested_amount=Decimal("10.00")
        ):
            actions.accept_request(dispute=dispute, seller=seller, now=ago(8))
        open_on("DEMO-9003", 1, reason=DisputeReason.MISSING_PARTS)

        # A parcel that never arrived: waiting for the seller, and a new date for the buyer.
        lost = {
            "reason": DisputeReason.NOT_RECEIVED,
            "description": "The parcel never arrived and the tracking page has shown no news.",
        }
        open_on("DEMO-0029", 1, **lost)
        if dispute := open_on("DEMO-0031", 3, **lost):
            actions.extend_delivery(dispute=dispute, seller=seller, days=14, now=ago(1))

        # A return in each stage (PRODUCT.md §4e): to ship, on its way, and refunded.
        def returned(number, days_ago, shipped_days_ago=None, arrived_days_ago=None):
            """Opened ``days_ago``; the seller asked for the item back a day later."""
            if not (dispute := open_on(number, days_ago)):
                return
            dispute = actions.accept_if_returned(
                dispute=dispute, seller=seller, now=ago(days_ago - 1)
            )
            if shipped_days_ago is not None:
                dispute = actions.ship_return(
                    dispute=dispute,
                    buyer=dispute.order.buyer,
                    carrier="La Poste Colissimo",
                    tracking_number="6A" + number[-4:] + "0987654",
                    now=ago(shipped_days_ago),
                )
            if arrived_days_ago is not None:
                actions.confirm_return_arrived(
                    dispute=dispute, seller=seller, now=ago(arrived_days_ago)
                )

        returned("DEMO-0019", 4)
        returned("DEMO-0021", 8, shipped_days_ago=5)
        returned("DEMO-0023", 11, shipped_days_ago=8, arrived_days_ago=6)
        asked("DEMO-9005", Party.BUYER, "Please send a photo of the broken zip, close up.")

    def _saved_replies(self):
        """Two of the mediators' saved replies, with placeholders, in both languages."""
        for title, english, french in SAVED_REPLIES:
            SavedReply.objects.get_or_create(
                title=title, defaults={"body_en": english, "body_fr": french}
            )

    def _print_logins(self):
        self.stdout.write(self.style.SUCCESS(f"Demo data is ready. Log in at {settings.SITE_URL}"))
        self.stdout.write(f"  buyer:    {BUYER[0]} / {BUYER[1]}")
        self.stdout.write(f"  buyer 2:  {OTHER_BUYER[0]} / {OTHER_BUYER[1]}")
        self.stdout.write(
            f"  seller:   {SELLER[0]} / {SELLER[1]}  ({SELLER_WITH_ACCOUNT['name']}: odd orders)"
        )
        self.stdout.write(f"  mediator: {MEDIATOR[0]} / {MEDIATOR[1]}  (admin: /admin/)")

    def _print_sign_in_links(self):
        """The three ways the marketplace's people sign in without a password
        (PRODUCT.md §11): an email's link, the marketplace's hand-off, single sign-on."""
        users = get_user_model().objects.in_bulk([BUYER[0], SELLER[0]], field_name="username")
        offer = Order.objects.get(number="DEMO-0011").disputes.latest("pk")
        self.stdout.write("Or sign in as the marketplace's people do, without a password:")
        for username, page, label in (
            (BUYER[0], reverse("disputes:detail", args=[offer.pk]), "her offer, DEMO-0011"),
            (SELLER[0], reverse("disputes:seller_list"), "his disputes"),
        ):
            token, _link = create_link(user=users[username], kind=LinkKind.EMAIL, next_path=page)
            self.stdout.write(
                f"  {username}'s email link ({label}): {url_of(token, LinkKind.EMAIL)}"
            )
        self.stdout.write(
            f"    once each, for {settings.EMAIL_SIGN_IN_LINK_HOURS} h, like the link in every"
            ' email; "Email me a sign-in link" on the login page sends one (to this console)'
        )
        request = json.dumps(
            {"account_id": MARKETPLACE_IDS[BUYER[0]], "next": reverse("orders:list")}
        )
        curl = shlex.join(
            [
                "curl",
                "-X",
                "POST",
                f"{settings.SITE_URL}/api/v1/sign-in-links/",
                "-H",
                f"Authorization: Bearer {self._api_token()}",
                "-H",
                "Content-Type: application/json",
                "-d",
                request,
            ]
        )
        self.stdout.write(
            f"  the marketplace's hand-off, as the API client {API_CLIENT!r} (a new token"
            " each run): open the answer's url within"
            f" {settings.SIGN_IN_LINK_MAX_AGE_SECONDS} s, once"
        )
        self.stdout.write(f"    {curl}")
        if settings.OIDC_ISSUER:
            identities = ", ".join(
                f"{identity['sub']} ({identity['preferred_username']})"
                for identity in json.loads(SSO_IDENTITIES.read_text())
            )
            self.stdout.write(
                f'  single sign-on: "Sign in with {settings.OIDC_PROVIDER_NAME}" on the login'
                f" page; the demo's provider offers {identities}"
            )
        else:
            self.stdout.write(
                "  single sign-on: `make run SSO=1` starts a demo OpenID provider beside the app"
            )

    def _api_token(self):
        """A new token for the demo's API client, created the first time; the old token
        stops working, and a client revoked by hand works again."""
        client = ApiClient.objects.filter(name=API_CLIENT).first()
        if client is None:
            return ApiClient.create(API_CLIENT)[1]
        token = client.issue_token(overlap=False)
        client.revoked_at = None
        client.save()
        return token

    def _print_situations(self, now):
        """Each demo order as its page shows it now, which is not always what the demo
        meant: what was done by hand since the demo was loaded is kept."""
        meant = {
            number: (username, label)
            for username, situations in ((BUYER[0], SITUATIONS), (OTHER_BUYER[0], OTHER_SITUATIONS))
            for number, *_rest, label in situations
        }
        orders = Order.objects.filter(number__in=meant).prefetch_related("disputes")
        orders = {order.number: order for order in orders}
        changed = []
        for number, (username, label) in meant.items():
            situation, left = describe(orders[number], now)
            line = f"  {username}'s order {number}: {situation}{f' ({left} left)' if left else ''}"
            if situation != label:
                changed.append(number)
                line += f"  [changed by hand; the demo had: {label}]"
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
        if eligibility.not_received:
            return "not received, dispute possible", left
        return "dispute possible", left
    return ", ".join(reason_words(reason) for reason in eligibility.reasons), None


def reason_words(reason):
    if reason.code == ReasonCode.DISPUTE_OPEN:
        dispute = reason.dispute
        return STAGE_WORDS[dispute.stage].format(party=dispute.information_requested_from)
    if reason.code == ReasonCode.ALREADY_DECIDED:
        return decision_words(reason.dispute)
    return REASON_WORDS[reason.code]


def decision_words(dispute):
    if dispute.is_against_buyer:
        return "decided against you"
    if dispute.outcome == Outcome.FULL_REFUND:
        return "refunded in full"
    return "partially refunded, as asked"
