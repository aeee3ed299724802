"""Orders that already have a dispute get their terms fixed from their first one's opening."""

from django.db import migrations
from django.db.models import Min, OuterRef, Subquery


def fix_terms(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    Dispute = apps.get_model("disputes", "Dispute")
    first_opened = (
        Dispute.objects.filter(order=OuterRef("pk"))
        .values("order")
        .annotate(first=Min("opened_at"))
        .values("first")
    )
    Order.objects.filter(
        terms_fixed_at__isnull=True, pk__in=Dispute.objects.values("order")
    ).update(terms_fixed_at=Subquery(first_opened))


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0003_mediators_queue_index"),
        ("orders", "0004_order_terms_fixed_at"),
    ]

    operations = [migrations.RunPython(fix_terms, migrations.RunPython.noop)]
