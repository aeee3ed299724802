"""The mediators' saved replies: kept, changed and removed by the mediators themselves."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_mediator
from disputes import saved_replies
from disputes.models import SavedReply


class SavedReplyForm(forms.ModelForm[SavedReply]):
    class Meta:
        model = SavedReply
        fields = ["title", "body_en", "body_fr"]

    def clean_body_en(self) -> str:
        return self.checked("body_en")

    def clean_body_fr(self) -> str:
        return self.checked("body_fr")

    def checked(self, name: str) -> str:
        text: str = self.cleaned_data[name]
        saved_replies.check_placeholders(text)
        return text


def placeholders_help() -> str:
    return ", ".join(
        f"{{{name}}}: {description}"
        for name, (description, _written) in saved_replies.PLACEHOLDERS.items()
    )


class SavedReplyAdmin(admin.ModelAdmin[SavedReply]):
    """Only mediators see and keep saved replies; other staff have no page here."""

    form = SavedReplyForm
    list_display = ["title", "updated_at"]
    search_fields = ["title", "body_en", "body_fr"]

    def get_form(
        self,
        request: HttpRequest,
        obj: SavedReply | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm[SavedReply]]:
        form = super().get_form(request, obj, change, **kwargs)
        help_text = _("Placeholders, filled in the reader's language: %(placeholders)s") % {
            "placeholders": placeholders_help()
        }
        for name in ("body_en", "body_fr"):
            form.base_fields[name].help_text = help_text
        return form

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_mediator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_mediator(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_mediator(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_mediator(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_mediator(request.user)
