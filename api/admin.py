"""Staff manage the API's clients here — create, choose their webhook events, rotate the
token or the webhook secret (each shown once), revoke, each after a confirmation — and
follow every webhook delivery with its attempts."""

import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import webhook_types, webhooks
from .models import ApiClient, WebhookAttempt, WebhookDelivery


def credentials_page(request, admin_site, title, issued):
    """The token and/or secret just issued, shown this once (never stored in a cookie or a
    message: the page is the answer to the request that made them)."""
    return TemplateResponse(
        request,
        "api/credentials_issued.html",
        {**admin_site.each_context(request), "title": title, "issued": issued},
    )


def confirmed(request) -> bool:
    """Whether this POST of an action comes from its confirmation page."""
    return request.POST.get("confirmed") == "yes"


def confirmation_page(request, admin_site, queryset, *, action, title, consequence):
    """The page an action on clients asks to confirm on, POSTing the same action again."""
    return TemplateResponse(
        request,
        "api/confirm_client_action.html",
        {
            **admin_site.each_context(request),
            "title": title,
            "consequence": consequence,
            "clients": queryset,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        },
    )


class ApiClientForm(forms.ModelForm):
    webhook_types = forms.MultipleChoiceField(
        label=_("webhook events"),
        choices=webhook_types.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The events POSTed to the webhook URL."),
    )

    class Meta:
        model = ApiClient
        fields = ["name", "webhook_url", "webhook_types"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "webhook_url", "token_hint", "token_issued_at", "state", "created_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name"]
    form = ApiClientForm
    fields = [
        "name",
        "webhook_url",
        "webhook_types",
        "token_hint",
        "token_issued_at",
        "previous_token_valid_until",
        "created_at",
        "revoked_at",
    ]
    readonly_fields = [
        "token_hint",
        "token_issued_at",
        "previous_token_valid_until",
        "created_at",
        "revoked_at",
    ]
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

    @admin.action(
        description=_("Rotate the token (the old one works for an overlap, then stops)"),
        permissions=["change"],
    )
    def rotate_token(self, request, queryset):
        if not confirmed(request):
            return confirmation_page(
                request,
                self.admin_site,
                queryset,
                action="rotate_token",
                title=_("Rotate these clients' tokens?"),
                consequence=_(
                    "Each gets a new token, shown once. The old one keeps working for "
                    "%(hours)d hours, then stops: the marketplace must use the new one by then."
                )
                % {"hours": settings.API_TOKEN_OVERLAP_HOURS},
            )
        return self._issue(
            request, queryset, lambda client: {"token": client.issue_token()}, _("New tokens")
        )

    @admin.action(description=_("Rotate the webhook secret"), permissions=["change"])
    def rotate_webhook_secret(self, request, queryset):
        if not confirmed(request):
            return confirmation_page(
                request,
                self.admin_site,
                queryset,
                action="rotate_webhook_secret",
                title=_("Rotate these clients' webhook secrets?"),
                consequence=_(
                    "Each gets a new secret, shown once. Webhooks are signed with both the "
                    "old and the new one for %(hours)d hours, then with the new one only."
                )
                % {"hours": settings.WEBHOOK_SECRET_OVERLAP_HOURS},
            )
        return self._issue(
            request,
            queryset,
            lambda client: {"secret": client.issue_webhook_secret()},
            _("New webhook secrets"),
        )

    @admin.action(
        description=_("Revoke (its token stops working, webhooks stop)"), permissions=["change"]
    )
    def revoke(self, request, queryset):
        if not confirmed(request):
            return confirmation_page(
                request,
                self.admin_site,
                queryset,
                action="revoke",
                title=_("Revoke these clients?"),
                consequence=_(
                    "Their tokens, the current and any old one, stop working at once and "
                    "their webhooks stop. A revoked client cannot be restored."
                ),
            )
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d client revoked.", "%(count)d clients revoked.", count)
            % {"count": count},
        )
        return None


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
