"""The four-step wizard that opens a dispute, or reopens one the buyer cancelled.

django-formtools keeps the answers of each step in the session. Evidence is not a
wizard form field (formtools keeps one file per field and never cleans up): each file is
stored as an ``Evidence`` row tied to this wizard's draft key as soon as it arrives.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from formtools.wizard.views import SessionWizardView

from orders.models import Order

from . import actions, evidence_service
from .drafts import issue_draft_key
from .eligibility import dispute_eligibility
from .forms import DetailsForm, ReasonForm, RefundForm, ReviewForm
from .models import Dispute, DisputeReason, DisputeStatus


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

    def dispatch(self, request, *args, **kwargs):
        self.order, self.dispute = self.get_subject(request, **kwargs)
        eligibility = dispute_eligibility(self.order, self.order.disputes.all(), now=timezone.now())
        if not eligibility.allowed or eligibility.cancelled_dispute != self.dispute:
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
        extra = self.storage.extra_data
        if "draft_key" not in extra:
            extra["draft_key"] = issue_draft_key(self.request.session)
            self.storage.extra_data = extra
        return extra["draft_key"]

    def get(self, request, *args, **kwargs):
        # formtools restarts on every GET; resume instead, so that coming back to the
        # page (or the no-JavaScript evidence buttons) loses nothing.
        if "restart" in request.GET or self.storage.current_step is None:
            return super().get(request, *args, **kwargs)
        step = self.steps.current
        data = self.storage.get_step_data(step)
        return self.render(self.get_form(step, data=data) if data else self.get_form(step))

    def post(self, request, *args, **kwargs):
        if self.posted_step() == "details":
            result = evidence_service.store_uploads(
                request.FILES.getlist("evidence"),
                buyer=request.user,
                order=self.order,
                draft_key=self.draft_key,
            )
            self.upload_refusals = result.refusals
        goto_step = request.POST.get("wizard_goto_step")
        if goto_step in self.get_form_list():
            # Going back keeps what was typed on this step.
            self.storage.set_step_data(self.steps.current, request.POST)
        elif self.upload_refusals:
            return self.render(self.get_form(data=request.POST))
        return super().post(request, *args, **kwargs)

    def process_step_files(self, form):
        # Evidence files were stored as Evidence rows in post(); formtools keeps none.
        return {}

    def get_form_kwargs(self, step=None):
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
            evidence_panel=self.evidence_panel_context(),
        )
        if self.steps.current == "review":
            answers = self.answers()
            context["answers"] = answers
            context["reason_label"] = DisputeReason(answers["reason"]).label
        return context

    def evidence_panel_context(self):
        evidence = evidence_service.draft_evidence(self.request.user, self.order, self.draft_key)
        submitted = list(self.dispute.evidence.all()) if self.dispute else []
        return {
            "evidence_list": submitted + list(evidence),
            "upload_target": {"order": self.order.number, "draft": self.draft_key},
            "refusals": self.upload_refusals,
            "next": self.request.path,
        }

    def answers(self):
        answers = {}
        for step in ("reason", "refund", "details"):
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
        messages.success(self.request, _("Your dispute is open. A mediator will review it."))
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
        messages.success(self.request, _("Your dispute is open again. A mediator will review it."))
        return dispute
