"""A page of the admin where a mediator acts through ``disputes.actions`` on one object.

The form is rendered as the admin renders its own (``AdminForm``), in a template extending
``admin/disputes/action_form.html``; a refused action shows its message above the form,
and a done one returns to the object's page (``done_url``). A form offering saved replies
(``form_with_saved_reply``) can be posted back to fill its text with one instead.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import AdminForm
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django_stubs_ext import StrOrPromise

from accounts.models import User
from accounts.roles import is_mediator
from disputes import saved_replies
from disputes.errors import DisputeActionError
from disputes.forms import SavedReplyChoice
from disputes.models import Dispute, SavedReply

# The button of an action's page that fills the text with the chosen saved reply.
FILL_IN_SAVED_REPLY = "fill_in_saved_reply"


class MediatorRequest(HttpRequest):
    """A request the admin let through to a mediator's page: a signed-in staff account."""

    user: User


def mediators_only[**P](
    view: Callable[Concatenate[MediatorRequest, P], HttpResponse],
) -> Callable[Concatenate[MediatorRequest, P], HttpResponse]:
    """``view`` for mediators; other staff are refused as the admin refuses a page they
    lack the permission for."""

    @wraps(view)
    def mediators_view(
        request: MediatorRequest, /, *args: P.args, **kwargs: P.kwargs
    ) -> HttpResponse:
        if not is_mediator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return mediators_view


def action_page(
    request: HttpRequest,
    *,
    model_admin: admin.ModelAdmin[Any],
    obj: Model,
    form: forms.Form,
    act: Callable[[dict[str, Any]], object],
    done_message: StrOrPromise,
    done_url: str,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """Show ``form`` for ``obj``; once posted and valid, ``act`` on its cleaned data."""
    if request.method == "POST" and form.is_valid():
        try:
            act(form.cleaned_data)
        except DisputeActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, done_message)
            return redirect(done_url)
    fieldsets = [(None, {"fields": list(form.fields)})]
    return TemplateResponse(
        request,
        template,
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.opts,
            "original": obj,
            # Django's AdminForm lays out any form (UserAdmin's password page passes a
            # plain one); its stub asks for a ModelForm.
            "adminform": AdminForm(form, fieldsets, {}),  # type: ignore[arg-type]
            "form": form,
            **context,
        },
    )


def form_with_saved_reply[F: SavedReplyChoice](
    request: HttpRequest,
    dispute: Dispute,
    make_form: Callable[[Any, dict[str, Any] | None], F],
    *,
    reader: str | None,
) -> F:
    """The action's form: posted to act, or, when the mediator asked to fill in a saved
    reply, shown again as they left it with the reply written for ``reader`` (a party,
    both with None, or the mediators) in its text. Filling in acts on nothing."""
    if request.method != "POST" or FILL_IN_SAVED_REPLY not in request.POST:
        return make_form(request.POST or None, None)
    initial: dict[str, Any] = request.POST.dict()
    chosen = initial.get("saved_reply")
    reply = SavedReply.objects.filter(pk=chosen).first() if chosen else None
    form = make_form(None, initial)
    if reply is not None:
        form.initial[form.reply_field] = saved_replies.fill(
            reply, dispute, party=reader, now=timezone.now()
        )
    return form
