"""Clients that receive the money events receive the refunds to execute too: the
``refund.instructed`` type is one of the defaults (``api.webhook_types.MONEY_TYPES``)."""

from django.db import migrations

REFUNDS = "refund.instructed"


def add_refunds(apps, schema_editor):
    ApiClient = apps.get_model("api", "ApiClient")
    for client in ApiClient.objects.all():
        if "dispute.agreed" in client.webhook_types and REFUNDS not in client.webhook_types:
            client.webhook_types = [*client.webhook_types, REFUNDS]
            client.save(update_fields=["webhook_types"])


def remove_refunds(apps, schema_editor):
    ApiClient = apps.get_model("api", "ApiClient")
    for client in ApiClient.objects.all():
        if REFUNDS in client.webhook_types:
            client.webhook_types = [kind for kind in client.webhook_types if kind != REFUNDS]
            client.save(update_fields=["webhook_types"])


class Migration(migrations.Migration):
    dependencies = [("api", "0003_standard_webhooks_and_token_overlap")]

    operations = [migrations.RunPython(add_refunds, remove_refunds)]
