"""Staff manage the API's clients here — create, rotate the token or the webhook secret
(each shown once), revoke — and follow every webhook delivery with its attempts."""

import json

from django.contrib import admin, messages
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import webhooks
from .models import ApiClient, WebhookAttempt, WebhookDelivery


def credentials_page(request, admin_site, title, issued):
    """The token and/or secret just issued, shown this once (never stored in a cookie or a
    message: the page is the answer to the request that made them)."""
    return TemplateResponse(
        request,
        "api/credentials_issued.html",
        {**admin_site.each_context(request), "title": title, "issued": issued},
    )


def _rotation(what, description, title, issue):
    """An admin action issuing a new ``what`` to each selected client, shown once."""

    def action(modeladmin, request, queryset):
        return modeladmin._issue(request, queryset, issue, title)

    action.__name__ = f"rotate_{what}"
    return admin.action(description=description, permissions=["change"])(action)


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "webhook_url", "token_hint", "token_issued_at", "state", "created_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name"]
    fields = ["name", "webhook_url", "token_hint", "token_issued_at", "created_at", "revoked_at"]
    readonly_fields = ["token_hint", "token_issued_at", "created_at", "revoked_at"]
    actions = ["rotate_token", "rotate_webhook_secret", "revoke"]

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted: its deliveries stay readable

    @admin.display(description=_("state"))
    def state(self, client):
        return _("Revoked") if client.is_revoked else _("Active")

    def save_model(self, request, obj, form, change):
        if not change:
            request.api_credentials = {
                "client": obj,
                "token": obj.issue_token(),
                "secret": obj.issue_webhook_secret(),
            }
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        return credentials_page(
            request, self.admin_site, _("API client created"), [request.api_credentials]
        )

    def _issue(self, request, queryset, issue, title):
        issued = []
        with transaction.atomic():
            for client in queryset.select_for_update():
                if client.is_revoked:
                    self.message_user(
                        request,
                        _("%(name)s is revoked: nothing was issued.") % {"name": client},
                        messages.WARNING,
                    )
                    continue
                issued.append({"client": client, **issue(client)})
                client.save()
        if not issued:
            return None
        return credentials_page(request, self.admin_site, title, issued)

    rotate_token = _rotation(
        "token",
        _("Rotate the token (the old one stops working)"),
        _("New tokens"),
        lambda client: {"token": client.issue_token()},
    )
    rotate_webhook_secret = _rotation(
        "webhook_secret",
        _("Rotate the webhook secret"),
        _("New webhook secrets"),
        lambda client: {"secret": client.issue_webhook_secret()},
    )

    @admin.action(
        description=_("Revoke (its token stops working, webhooks stop)"), permissions=["change"]
    )
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d client revoked.", "%(count)d clients revoked.", count)
            % {"count": count},
        )


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ["number", "attempted_at", "status_code", "error", "duration_ms"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


DELIVERY_SUMMARY = ["event_id", "kind", "client", "status", "attempts", "last_status_code"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [*DELIVERY_SUMMARY, "next_attempt_at", "created_at"]
    list_filter = ["status", "kind", "client"]
    search_fields = ["event_id"]
    list_select_related = ["client"]
    fields = [
        *DELIVERY_SUMMARY,
        "retrying_since",
        "next_attempt_at",
        "delivered_at",
        "created_at",
        "payload",
    ]
    readonly_fields = fields
    inlines = [WebhookAttemptInline]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("body"))
    def payload(self, delivery):
        return format_html("<pre>{}</pre>", json.dumps(json.loads(delivery.body), indent=2))

    @admin.action(description=_("Send again"), permissions=["change"])
    def send_again(self, request, queryset):
        for delivery in queryset:
            webhooks.send_again(delivery)
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery queued to be sent again.",
                "%(count)d deliveries queued to be sent again.",
                queryset.count(),
            )
            % {"count": queryset.count()},
        )
