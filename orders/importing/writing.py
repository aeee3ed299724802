"""Writing a validated import: accounts, sellers, then orders, upserted in bulk.

A seller given with an account has it linked, so it answers its disputes in the app; a
seller given as a plain name keeps the account an earlier import gave it. A return address
given with the seller replaces theirs; none given keeps the one they have. Once a buyer has
confirmed receipt (``orders.receipts``), the order keeps the buyer's receipt time whatever
a record says, and the report lists it (PRODUCT.md §9). Once an order has a dispute, a
receipt time sent later is recorded as an order event without moving the dispute window
it already started (PRODUCT.md §8).
"""

from dataclasses import dataclass, field

from accounts import provisioning

from ..events import receipt_reported_event
from ..models import Order, Seller
from .validating import Batch

ORDER_FIELDS = ("item", "description", "price", "currency")
DATE_FIELDS = ("placed_at", "shipped_at", "received_at", "delivery_by")
# What an upsert may change on an existing order: everything but its number and buyer (an
# order never changes buyer: validation refuses it).
UPDATABLE = ("seller_id", *ORDER_FIELDS, *DATE_FIELDS)


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Accounts by username, under the role the import first meets them in: created, given
    # a new email, or given a new username (found by the marketplace's id).
    buyers_created: list[str] = field(default_factory=list)
    buyers_updated: list[str] = field(default_factory=list)
    buyers_renamed: list[str] = field(default_factory=list)
    sellers_created: list[str] = field(default_factory=list)
    seller_accounts_created: list[str] = field(default_factory=list)
    seller_accounts_updated: list[str] = field(default_factory=list)
    seller_accounts_renamed: list[str] = field(default_factory=list)
    # Seller names newly linked to an account.
    sellers_linked: list[str] = field(default_factory=list)
    # Orders whose record gave another receipt time than the one their buyer confirmed.
    receipts_kept: list[str] = field(default_factory=list)
    # Orders with a dispute whose record gave a receipt time: recorded as an event; the
    # order keeps the one its dispute window runs from, if it had one.
    receipts_recorded: list[str] = field(default_factory=list)


def write(batch: Batch) -> ImportReport:
    """Save ``batch``; a few queries per batch, not per record. Two imports of the same new
    order at once (a client retrying a request still running) both succeed: the second one
    updates what the first created."""
    report = ImportReport()
    accounts = _save_accounts(batch, report)
    sellers = _save_sellers(batch, accounts, report)
    _upsert(batch, accounts, sellers, report)
    return report


def _save_accounts(batch: Batch, report: ImportReport) -> provisioning.Saved:
    saved = provisioning.save(batch.accounts)
    role_of: dict[provisioning.Identity, str] = {}
    for position, role in enumerate(batch.roles):
        role_of.setdefault(batch.accounts.identity(position), role)
    for identities, buyers, sellers in (
        (saved.created, report.buyers_created, report.seller_accounts_created),
        (saved.email_changed, report.buyers_updated, report.seller_accounts_updated),
        (saved.renamed, report.buyers_renamed, report.seller_accounts_renamed),
    ):
        for identity in identities:
            names = buyers if role_of[identity] == "buyer" else sellers
            names.append(saved.users[identity].username)
    return saved


def _save_sellers(
    batch: Batch, accounts: provisioning.Saved, report: ImportReport
) -> dict[str, Seller]:
    """Every seller of the records, by name: created if missing, and linked to its account
    when a record gives one and the seller has none yet."""
    names = list(dict.fromkeys(record.seller.name for record in batch.records))
    sellers = Seller.objects.in_bulk(names, field_name="name")
    missing = [name for name in names if name not in sellers]
    # Skips those another transaction created meanwhile, as accounts do.
    Seller.objects.bulk_create(
        [Seller(name=name) for name in missing], ignore_conflicts=True, batch_size=500
    )
    sellers |= Seller.objects.in_bulk(missing, field_name="name")
    report.sellers_created.extend(missing)
    linked: dict[str, Seller] = {}
    readdressed: dict[str, Seller] = {}
    for record, at in zip(batch.records, batch.seller_at, strict=True):
        seller = sellers[record.seller.name]
        if at is not None and seller.user_id is None:
            seller.user = accounts.users[batch.accounts.identity(at)]
            linked[seller.name] = seller
            report.sellers_linked.append(seller.name)
        address = record.seller.return_address
        if address and address != seller.return_address:
            seller.return_address = address
            readdressed[seller.name] = seller
    Seller.objects.bulk_update(linked.values(), ["user"])
    Seller.objects.bulk_update(readdressed.values(), ["return_address"])
    return sellers


def _upsert(
    batch: Batch,
    accounts: provisioning.Saved,
    sellers: dict[str, Seller],
    report: ImportReport,
) -> None:
    upserted = []
    for record, at in zip(batch.records, batch.buyer_at, strict=True):
        fields = {
            "buyer_id": accounts.users[batch.accounts.identity(at)].pk,
            "seller_id": sellers[record.seller.name].pk,
            **{name: getattr(record, name) for name in (*ORDER_FIELDS, *DATE_FIELDS)},
        }
        order = batch.existing.get(record.number)
        if order is None:
            upserted.append(Order(number=record.number, **fields))
            report.created.append(record.number)
            continue
        if order.receipt_confirmed_at and fields["received_at"] != order.received_at:
            # The buyer confirmed receipt (PRODUCT.md §9): the marketplace cannot move it.
            fields["received_at"] = order.received_at
            report.receipts_kept.append(record.number)
        elif order.terms_fixed_at and fields["received_at"] != order.received_at:
            receipt_reported_event(
                order=order,
                received_at=fields["received_at"],
                window_from=order.received_at or fields["received_at"],
            )
            fields["received_at"] = order.received_at or fields["received_at"]
            report.receipts_recorded.append(record.number)
        if all(getattr(order, name) == value for name, value in fields.items()):
            report.unchanged.append(record.number)
            continue
        upserted.append(Order(number=record.number, **fields))
        report.updated.append(record.number)
    # New and changed orders in one statement, whatever their number (PostgreSQL takes each
    # column as one array): an existing order takes the UPDATABLE fields, and keeps the rest
    # (its buyer, a receipt its buyer confirmed, when its terms were fixed).
    Order.objects.bulk_create(
        upserted, update_conflicts=True, unique_fields=["number"], update_fields=UPDATABLE
    )
