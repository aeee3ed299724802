"""The four-step wizard that opens a dispute, or reopens one the buyer cancelled.

django-formtools keeps the answers of each step in the session. Evidence is not a
wizard form field (formtools keeps one file per field and never cleans up): each file is
stored as an ``Evidence`` row tied to this wizard's draft key as soon as it arrives.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from formtools.wizard.views import SessionWizardView

from orders.models import Order

from . import actions
from .eligibility import dispute_eligibility
from .evidence import recording
from .evidence.drafts import WIZARD, DraftForm, issue_draft_key, issued_form
from .evidence.panel import panel_evidence, posted_pk
from .forms import DetailsForm, ReasonForm, RefundForm, ReviewForm
from .models import Dispute, DisputeReason, DisputeStatus, Evidence, RefundRequest
from .stages import SELLER_ANSWER_STAGES
from .time_left import time_left_words


class DisputeWizard(SessionWizardView):
    form_list = [
        ("reason", ReasonForm),
        ("refund", RefundForm),
        ("details", DetailsForm),
        ("review", ReviewForm),
    ]
    step_titles = {
        "reason": gettext_lazy("What is wrong"),
        "refund": gettext_lazy("What you want"),
        "details": gettext_lazy("Tell us and show us"),
        "review": gettext_lazy("Review and submit"),
    }
    upload_refusals = ()
    # An item not received is refunded in full: nothing to ask (PRODUCT.md §2a).
    condition_dict = {"refund": lambda wizard: not wizard.eligibility.not_received}

    def dispatch(self, request, *args, **kwargs):
        self.order, self.dispute = self.get_subject(request, **kwargs)
        eligibility = dispute_eligibility(self.order, self.order.disputes.all(), now=timezone.now())
        if not eligibility.allows_wizard(self.dispute):
            # The order page lists every reason, with its dates. (An htmx request gets a
            # whole-page redirect: config.middleware.HtmxRedirectMiddleware.)
            return redirect("orders:detail", self.order.number)
        self.eligibility = eligibility
        return super().dispatch(request, *args, **kwargs)

    def get_subject(self, request, **kwargs):
        """The order being disputed, and the cancelled dispute being reopened (or None)."""
        raise NotImplementedError

    def submit(self, **answers):
        raise NotImplementedError

    def get_prefix(self, request, *args, **kwargs):
        return f"dispute_wizard_{self.order.pk}"

    def posted_step(self):
        """The step whose form was submitted (the session may be on another one: the
        browser's Back button returns to an older page without telling the server)."""
        return self.request.POST.get(f"{self.prefix}-current_step", self.steps.current)

    @property
    def draft_key(self):
        """The key of this walk's evidence, issued for this wizard of this order only."""
        extra = self.storage.extra_data
        draft_form = DraftForm.of(WIZARD, self.order, self.dispute)
        if issued_form(self.request.session, extra.get("draft_key", "")) != draft_form:
            extra["draft_key"] = issue_draft_key(self.request.session, draft_form)
            self.storage.extra_data = extra
        return extra["draft_key"]

    def get(self, request, *args, **kwargs):
        # formtools restarts on every GET; resume instead, so that coming back to the
        # page (or the no-JavaScript evidence buttons) loses nothing.
        if "restart" in request.GET or self.storage.current_step is None:
            return super().get(request, *args, **kwargs)
        return self.render_goto_step(self.steps.current)

    def post(self, request, *args, **kwargs):
        step = self.posted_step()
        if step not in self.get_form_list():
            raise SuspiciousOperation("The wizard has no such step.")
        if (unanswered := self.first_unanswered_step(before=step)) is not None:
            # A step posted ahead of those it follows (a crafted request, or answers gone
            # with an expired session): the buyer answers the first one missing.
            return self.render_goto_step(unanswered)
        if step == "details":
            result = recording.store_uploads(
                request.FILES.getlist("evidence"),
                uploader=request.user,
                order=self.order,
                draft_key=self.draft_key,
            )
            self.upload_refusals = result.refusals
            for note in result.notes:
                messages.info(request, note)
        language = request.POST.get("language")
        if language in dict(settings.LANGUAGES) and language != get_language():
            return self.switch_language(language)
        if evidence_pk := request.POST.get("evidence_pk"):
            return self.remove_evidence(evidence_pk)
        goto_step = request.POST.get("wizard_goto_step")
        if goto_step in self.get_form_list():
            # Going back keeps what was typed on the step left, judged only once submitted.
            self.keep_typed_data()
        elif self.upload_refusals:
            return self.render(self.get_form(data=request.POST))
        return super().post(request, *args, **kwargs)

    def keep_typed_data(self):
        """Keep what was typed on the posted step without judging it (the buyer is leaving
        the step, or doing something else on it, not submitting it); it becomes the
        current step."""
        step = self.posted_step()
        if step in self.get_form_list():
            self.storage.set_step_data(step, self.request.POST)
            self.storage.current_step = step

    def switch_language(self, language):
        """The language switcher of a wizard page submits the wizard's form (see
        _language_switcher.html): keep what was typed, then show the step in ``language``.

        A submission in the page's own language is the form's default button at work
        (Enter in a field, without JavaScript): it goes on as Next, so it never gets here.
        """
        self.keep_typed_data()
        self.report_upload_refusals()
        response = redirect(self.request.get_full_path())
        # The cookie Django's set_language view sets.
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return response

    def remove_evidence(self, evidence_pk):
        """A Remove button of the evidence panel, without JavaScript (its ``remove_action``
        is this page): remove the draft file and show the step again as it was typed."""
        self.keep_typed_data()
        drafts = Evidence.objects.drafts(
            buyer=self.request.user, order=self.order, key=self.draft_key
        )
        pk = posted_pk(evidence_pk)
        evidence = drafts.filter(pk=pk).first() if pk is not None else None
        if evidence is not None:
            try:
                recording.remove_draft(evidence)
            except ValueError:
                pass  # attached or removed meanwhile (another tab): nothing to remove
            else:
                messages.success(
                    self.request, _("%(name)s was removed.") % {"name": evidence.original_name}
                )
        return self.render(self.unsubmitted_form(self.steps.current))

    def report_upload_refusals(self):
        for refusal in self.upload_refusals:
            messages.error(self.request, refusal.message)

    def unsubmitted_form(self, step):
        """The form of a step the buyer arrives at rather than submits: unbound, so it shows
        no errors, with what they typed there before (else the initial answers)."""
        form = self.get_form(step)
        data = self.storage.get_step_data(step)
        if data:
            typed = self.get_form(step, data=data)
            form.initial = form.initial | {name: typed[name].data for name in typed.fields}
        return form

    def render_next_step(self, form, **kwargs):
        self.storage.current_step = self.steps.next
        return self.render(self.unsubmitted_form(self.steps.current), **kwargs)

    def first_unanswered_step(self, *, before):
        """The first step before ``before`` whose answers are missing or no longer valid;
        None when all of them are answered."""
        for step in self.get_form_list():
            if step == before:
                return None
            if self.get_cleaned_data_for_step(step) is None:
                return step
        return None

    def render_goto_step(self, goto_step, **kwargs):
        goto_step = self.first_unanswered_step(before=goto_step) or goto_step
        self.storage.current_step = goto_step
        return self.render(self.unsubmitted_form(goto_step), **kwargs)

    def process_step_files(self, form):
        # Evidence files were stored as Evidence rows in post(); formtools keeps none.
        return {}

    def get_form_kwargs(self, step=None):
        if step == "reason":
            return {"reasons": self.eligibility.offered_reasons}
        return {"order": self.order} if step == "refund" else {}

    def get_form_initial(self, step):
        if self.dispute is None:
            return {}
        return {
            "reason": self.dispute.reason,
            "refund_request": self.dispute.refund_request,
            "requested_amount": self.dispute.requested_amount,
            "description": self.dispute.description,
        }

    def get_template_names(self):
        return ["disputes/wizard.html#wizard" if self.request.htmx else "disputes/wizard.html"]

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        context.update(
            order=self.order,
            dispute=self.dispute,
            eligibility=self.eligibility,
            steps=[(name, self.step_titles[name]) for name in self.get_form_list()],
            step_title=self.step_titles[self.steps.current],
            draft_key=self.draft_key,
            upload_refusals=self.upload_refusals,
            # The language switcher submits this form, so a new language loses nothing.
            language_form="wizard-form",
        )
        if self.steps.current == "review":
            answers = self.answers()
            context["answers"] = answers
            context["reason_label"] = DisputeReason(answers["reason"]).label
            context["evidence_list"] = panel_evidence(
                order=self.order, uploader=self.request.user, draft=self.draft_key
            )
        return context

    def answers(self):
        answers = {"refund_request": RefundRequest.FULL}  # unless the refund step asked
        for step in self.get_form_list():
            if step != "review":
                answers |= self.get_cleaned_data_for_step(step) or {}
        return answers

    def render_done(self, form, **kwargs):
        try:
            return super().render_done(form, **kwargs)
        except actions.DisputeActionError as error:
            # Nothing is lost: the wizard keeps its answers and evidence.
            messages.error(self.request, error.message)
            return redirect("orders:detail", self.order.number)

    def done(self, form_list, form_dict, **kwargs):
        dispute = self.submit(**self.answers(), draft_key=self.draft_key)
        return redirect(dispute)


class OpenDisputeWizard(DisputeWizard):
    def get_subject(self, request, number):
        return get_object_or_404(Order, number=number, buyer=request.user), None

    def submit(self, **answers):
        dispute = actions.open_dispute(order=self.order, buyer=self.request.user, **answers)
        opened = _("Your dispute is open.")
        messages.success(self.request, f"{opened} {_who_answers(dispute)}")
        return dispute


class ReopenDisputeWizard(DisputeWizard):
    def get_prefix(self, request, *args, **kwargs):
        # Each cancellation starts a fresh walk from the dispute's own answers, never from
        # an earlier, abandoned one.
        return f"dispute_reopen_{self.dispute.pk}_{self.dispute.cancelled_at.timestamp():.0f}"

    def get_subject(self, request, pk):
        dispute = get_object_or_404(
            Dispute.objects.of_buyer(request.user).select_related("order"),
            pk=pk,
            status=DisputeStatus.CANCELLED,
        )
        return dispute.order, dispute

    def submit(self, **answers):
        dispute = actions.reopen_dispute(dispute=self.dispute, buyer=self.request.user, **answers)
        reopened = _("Your dispute is open again.")
        messages.success(self.request, f"{reopened} {_who_answers(dispute)}")
        return dispute


def _who_answers(dispute: Dispute) -> str:
    """Who answers a dispute just sent: its seller within their days, else the mediators
    (PRODUCT.md §4a)."""
    if dispute.stage in SELLER_ANSWER_STAGES:
        days = dispute.stage_deadline - dispute.stage_started_at
        return _(
            "The seller has %(days)s to answer; if they do not, a mediator will review it."
        ) % {"days": time_left_words(days)}
    return _("The seller cannot answer in the app, so a mediator will review it.")
