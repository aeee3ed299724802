"""Deadlines act by themselves (PRODUCT.md §4a), proved with a fixed clock.

``actions.act_on_deadline`` is what the worker runs at a party's deadline: one second
early it does nothing; at the deadline the seller's or the buyer's silence escalates and
an information request lapses back to the mediators. Nobody is decided against by silence.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from disputes import actions, deadlines, tasks
from disputes.models import (
    Dispute,
    DisputeEvent,
    DisputeStatus,
    EscalationReason,
    EventKind,
    Party,
    Stage,
)
from tests.accounts.links import email_links_in, link_of
from tests.conftest import run_tasks
from tests.disputes.builders import (
    CARRIER,
    OFFER,
    STATEMENT,
    TRACKING_NUMBER,
    answerable_dispute,
    answerable_dispute_at,
    extended_dispute,
    information_requested_dispute,
    make_mediator,
    not_received_dispute,
    offered_dispute,
    seller_of,
)
from tests.factories import FIXED_NOW

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
OPENED = FIXED_NOW  # 2026-03-20 12:00 UTC
PARIS = ZoneInfo("Europe/Paris")


# Disputes in each stage, made through the actions at fixed instants.


def waiting_for_seller(buyer, opened=OPENED):
    """Opened at ``opened`` on an order of a seller with an account: the seller has 5 days."""
    return answerable_dispute_at(buyer, opened)


def offer_waiting_for_buyer(buyer):
    """The seller offered a day after opening: the buyer has 5 days from the offer."""
    dispute = waiting_for_seller(buyer)
    return actions.make_offer(
        dispute=dispute, seller=seller_of(dispute), amount=OFFER, now=OPENED + DAY
    )


def with_mediator(buyer):
    """The seller refused a day after opening: a decision is expected 7 days later."""
    dispute = waiting_for_seller(buyer)
    return actions.refuse_request(
        dispute=dispute, seller=seller_of(dispute), statement=STATEMENT, now=OPENED + DAY
    )


def information_requested(buyer, party=Party.SELLER):
    """Two days after opening a mediator asks ``party``, who has 3 days to answer."""
    return actions.request_information(
        dispute=with_mediator(buyer),
        mediator=make_mediator(),
        party=party,
        message="Please send a photo of the cable you shipped.",
        now=OPENED + 2 * DAY,
    )


def return_to_ship(buyer):
    """The seller accepted if the item is returned a day after opening: 10 days to ship."""
    dispute = waiting_for_seller(buyer)
    return actions.accept_if_returned(dispute=dispute, seller=seller_of(dispute), now=OPENED + DAY)


def return_on_its_way(buyer):
    """The buyer shipped the return four days after opening: the seller has 15 days."""
    return actions.ship_return(
        dispute=return_to_ship(buyer),
        buyer=buyer,
        carrier=CARRIER,
        tracking_number=TRACKING_NUMBER,
        now=OPENED + 4 * DAY,
    )


# stage: (builder, when the stage started, its party's days)
EXPIRING = {
    Stage.WAITING_FOR_SELLER: (waiting_for_seller, OPENED, 5),
    Stage.OFFER_WAITING_FOR_BUYER: (offer_waiting_for_buyer, OPENED + DAY, 5),
    Stage.INFORMATION_REQUESTED: (information_requested, OPENED + 2 * DAY, 3),
    Stage.RETURN_TO_SHIP: (return_to_ship, OPENED + DAY, 10),
    Stage.RETURN_ON_ITS_WAY: (return_on_its_way, OPENED + 4 * DAY, 15),
    # A parcel that never arrived: the seller answers, then the buyer answers a new date.
    Stage.NOT_RECEIVED_WAITING_FOR_SELLER: (
        lambda buyer: not_received_dispute(buyer, OPENED),
        OPENED,
        5,
    ),
    Stage.EXTENSION_WAITING_FOR_BUYER: (
        lambda buyer: extended_dispute(buyer, OPENED + DAY),
        OPENED + DAY,
        5,
    ),
}
# stage: (status, stage) once its deadline passed. Only a return on its way ends by
# itself, and in the buyer's favour: the seller's silence counts as the return received.
AT_THE_DEADLINE = {stage: (DisputeStatus.OPEN, Stage.WITH_MEDIATOR) for stage in EXPIRING} | {
    Stage.RETURN_ON_ITS_WAY: (DisputeStatus.AGREED, None)
}


def events_of(dispute):
    return list(DisputeEvent.objects.filter(dispute=dispute).values_list("kind", "actor"))


def test_every_stage_with_a_partys_deadline_is_covered():
    from disputes.models import EXPIRING_STAGES

    assert set(EXPIRING) == set(EXPIRING_STAGES)


@pytest.mark.parametrize("stage", EXPIRING)
def test_the_deadline_is_whole_days_after_the_stage_started(buyer, stage):
    build, started, days = EXPIRING[stage]
    dispute = build(buyer)
    assert dispute.stage == stage
    assert dispute.stage_started_at == started
    assert dispute.stage_deadline == started + days * DAY


@pytest.mark.parametrize("stage", EXPIRING)
def test_one_second_before_the_deadline_nothing_happens(buyer, stage):
    dispute = EXPIRING[stage][0](buyer)
    before = events_of(dispute)

    assert (
        actions.act_on_deadline(dispute_id=dispute.pk, now=dispute.stage_deadline - SECOND) is None
    )

    dispute.refresh_from_db()
    assert dispute.stage == stage
    assert events_of(dispute) == before


@pytest.mark.parametrize("stage", EXPIRING)
def test_at_the_deadline_the_dispute_moves_on_by_itself(buyer, stage):
    dispute = EXPIRING[stage][0](buyer)

    moved = actions.act_on_deadline(dispute_id=dispute.pk, now=dispute.stage_deadline)

    assert moved is not None
    dispute.refresh_from_db()
    assert (dispute.status, dispute.stage) == AT_THE_DEADLINE[stage]
    # Done by the deadline, nobody's act: the event has no actor.
    assert DisputeEvent.objects.filter(dispute=dispute).last().actor is None


# party: (the stage waiting for their answer, its deadline, why it reached the mediators)
SILENCES = {
    "seller": (waiting_for_seller, OPENED + 5 * DAY, EscalationReason.SELLER_DID_NOT_ANSWER),
    "buyer": (offer_waiting_for_buyer, OPENED + 6 * DAY, EscalationReason.BUYER_DID_NOT_ANSWER),
    "buyer asked to wait": (
        lambda buyer: extended_dispute(buyer, OPENED),
        OPENED + 5 * DAY,
        EscalationReason.BUYER_DID_NOT_ANSWER_EXTENSION,
    ),
}


@pytest.mark.parametrize("party", SILENCES)
def test_a_partys_silence_escalates_and_never_decides_against_anyone(buyer, party):
    build, deadline, reason = SILENCES[party]
    dispute = build(buyer)

    actions.act_on_deadline(dispute_id=dispute.pk, now=deadline)

    dispute.refresh_from_db()
    assert (dispute.status, dispute.stage) == (DisputeStatus.OPEN, Stage.WITH_MEDIATOR)
    assert (dispute.escalation_reason, dispute.escalated_at) == (reason, deadline)
    assert dispute.stage_deadline == deadline + 7 * DAY  # the mediators' decision date
    assert (dispute.outcome, dispute.refund_amount) == (None, None)
    assert not dispute.is_against_buyer
    event = dispute.events.get(kind=EventKind.ESCALATED)
    assert (event.actor, event.created_at, event.details) == (None, deadline, {"reason": reason})
    assert not dispute.events.filter(
        kind__in=[EventKind.OFFER_ACCEPTED, EventKind.OFFER_REFUSED, EventKind.DECIDED]
    ).exists()


@pytest.mark.parametrize("party", Party.values)
def test_an_information_request_lapses_back_to_the_mediators_with_the_original_date(buyer, party):
    dispute = information_requested(buyer, party)
    escalated_at = OPENED + DAY

    actions.act_on_deadline(dispute_id=dispute.pk, now=OPENED + 5 * DAY)

    dispute.refresh_from_db()
    assert dispute.stage == Stage.WITH_MEDIATOR
    assert dispute.information_requested_from is None
    assert dispute.stage_started_at == escalated_at
    assert dispute.stage_deadline == escalated_at + 7 * DAY  # not moved by the request
    assert dispute.escalation_reason == EscalationReason.SELLER_REFUSED
    assert dispute.status == DisputeStatus.OPEN  # nothing is decided by itself
    event = dispute.events.get(kind=EventKind.INFORMATION_LAPSED)
    assert (event.actor, event.details) == (None, {"party": party})


def test_the_mediators_decision_date_is_shown_not_enforced(buyer):
    dispute = with_mediator(buyer)
    before = events_of(dispute)

    for late in (dispute.stage_deadline, dispute.stage_deadline + 30 * DAY):
        assert actions.act_on_deadline(dispute_id=dispute.pk, now=late) is None

    dispute.refresh_from_db()
    assert dispute.stage == Stage.WITH_MEDIATOR
    assert events_of(dispute) == before


@pytest.mark.parametrize("stage", EXPIRING)
def test_running_twice_changes_nothing_the_second_time(buyer, stage):
    dispute = EXPIRING[stage][0](buyer)
    deadline = dispute.stage_deadline
    actions.act_on_deadline(dispute_id=dispute.pk, now=deadline)
    dispute.refresh_from_db()
    after_first = (dispute.stage, dispute.stage_deadline, events_of(dispute))

    assert actions.act_on_deadline(dispute_id=dispute.pk, now=deadline) is None
    assert actions.act_on_deadline(dispute_id=dispute.pk, now=deadline + DAY) is None

    dispute.refresh_from_db()
    assert (dispute.stage, dispute.stage_deadline, events_of(dispute)) == after_first


def _seller_offers(dispute, now):
    actions.make_offer(dispute=dispute, seller=seller_of(dispute), amount=OFFER, now=now)


def _buyer_accepts(dispute, now):
    actions.accept_offer(dispute=dispute, buyer=dispute.order.buyer, now=now)


def _party_replies(dispute, now):
    seller = seller_of(dispute)
    actions.post_message(dispute=dispute, author=seller, body="Here is the photo.", now=now)


def _buyer_ships(dispute, now):
    actions.ship_return(
        dispute=dispute,
        buyer=dispute.order.buyer,
        carrier=CARRIER,
        tracking_number=TRACKING_NUMBER,
        now=now,
    )


def _seller_reports_a_problem(dispute, now):
    actions.report_return_problem(
        dispute=dispute, seller=seller_of(dispute), statement=STATEMENT, now=now
    )


def _seller_refunds(dispute, now):
    actions.accept_request(dispute=dispute, seller=seller_of(dispute), now=now)


def _buyer_waits(dispute, now):
    actions.accept_extension(dispute=dispute, buyer=dispute.order.buyer, now=now)


# stage: what its party does one second before the deadline
PARTY_ACTS = {
    Stage.WAITING_FOR_SELLER: _seller_offers,
    Stage.OFFER_WAITING_FOR_BUYER: _buyer_accepts,
    Stage.INFORMATION_REQUESTED: _party_replies,
    Stage.NOT_RECEIVED_WAITING_FOR_SELLER: _seller_refunds,
    Stage.EXTENSION_WAITING_FOR_BUYER: _buyer_waits,
    Stage.RETURN_TO_SHIP: _buyer_ships,
    Stage.RETURN_ON_ITS_WAY: _seller_reports_a_problem,
}


@pytest.mark.parametrize("stage", EXPIRING)
def test_after_the_party_acted_the_deadline_changes_nothing(buyer, stage):
    dispute = EXPIRING[stage][0](buyer)
    old_deadline = dispute.stage_deadline
    PARTY_ACTS[stage](dispute, old_deadline - SECOND)
    dispute.refresh_from_db()
    after_acting = (dispute.status, dispute.stage, dispute.stage_deadline, events_of(dispute))

    assert actions.act_on_deadline(dispute_id=dispute.pk, now=old_deadline) is None

    dispute.refresh_from_db()
    assert (dispute.status, dispute.stage, dispute.stage_deadline, events_of(dispute)) == (
        after_acting
    )


# Daylight saving: Paris moves to summer time on 2026-03-29 at 02:00 (01:00 UTC).


def test_a_deadline_across_the_daylight_saving_change_is_whole_24_hour_days(buyer):
    opened = datetime(2026, 3, 26, 10, 0, tzinfo=UTC)  # 11:00 in Paris (winter time)
    dispute = waiting_for_seller(buyer, opened=opened)

    assert dispute.stage_deadline == datetime(2026, 3, 31, 10, 0, tzinfo=UTC)
    assert dispute.stage_deadline - opened == timedelta(hours=5 * 24)
    # Shown in Paris, the deadline's clock time moves by the hour Paris moved; never shorter.
    assert opened.astimezone(PARIS).hour == 11
    assert dispute.stage_deadline.astimezone(PARIS).hour == 12

    assert (
        actions.act_on_deadline(dispute_id=dispute.pk, now=dispute.stage_deadline - SECOND) is None
    )
    assert actions.act_on_deadline(dispute_id=dispute.pk, now=dispute.stage_deadline) is not None


def test_a_deadline_from_a_paris_time_is_not_an_hour_short():
    # Adding days to a Paris wall clock would give 09:00 Paris on 1 April: 119 hours later.
    started = datetime(2026, 3, 27, 9, 0, tzinfo=PARIS)
    days = deadlines.StageDays(
        days={
            Stage.WAITING_FOR_SELLER: 5,
            Stage.OFFER_WAITING_FOR_BUYER: 5,
            Stage.WITH_MEDIATOR: 7,
            Stage.INFORMATION_REQUESTED: 3,
        },
        reminder_hours_before=48,
    )

    deadline = deadlines.stage_deadline(Stage.WAITING_FOR_SELLER, started, days=days)

    assert deadline - started == timedelta(hours=120)
    assert deadline.tzinfo == UTC
    assert deadline.astimezone(PARIS) == datetime(2026, 4, 1, 10, 0, tzinfo=PARIS)
    assert deadlines.reminder_at(deadline, days=days) == deadline - timedelta(hours=48)


# Who must act next, and by when.


def cancelled(buyer):
    return actions.cancel_dispute(dispute=waiting_for_seller(buyer), buyer=buyer, now=OPENED + DAY)


def agreed(buyer):
    dispute = waiting_for_seller(buyer)
    return actions.accept_request(dispute=dispute, seller=seller_of(dispute), now=OPENED + DAY)


def decided(buyer):
    return actions.decide_dispute(
        reason="evidence_shows_defect",
        dispute=with_mediator(buyer),
        mediator=make_mediator(),
        outcome="rejected",
        note="No fault seen on the photos.",
        now=OPENED + 3 * DAY,
    )


NEXT_STEPS = {
    # builder: (actor, deadline, enforced)
    "waiting_for_seller": (waiting_for_seller, "seller", OPENED + 5 * DAY, True),
    "offer_waiting_for_buyer": (offer_waiting_for_buyer, "buyer", OPENED + 6 * DAY, True),
    "with_mediator": (with_mediator, "mediator", OPENED + 8 * DAY, False),
    "information_from_seller": (information_requested, "seller", OPENED + 5 * DAY, True),
    "information_from_buyer": (
        lambda buyer: information_requested(buyer, Party.BUYER),
        "buyer",
        OPENED + 5 * DAY,
        True,
    ),
    "cancelled": (cancelled, None, None, False),
    "agreed": (agreed, None, None, False),
    "decided": (decided, None, None, False),
}


@pytest.mark.parametrize("case", NEXT_STEPS)
def test_next_step_says_who_acts_and_by_when(buyer, case):
    build, actor, deadline, enforced = NEXT_STEPS[case]
    dispute = Dispute.objects.get(pk=build(buyer).pk)

    step = deadlines.next_step(dispute)

    assert (step.actor, step.deadline, step.enforced) == (actor, deadline, enforced)


def test_time_left_counts_down_to_zero_and_never_below():
    deadline = OPENED + 5 * DAY
    step = deadlines.NextStep(actor="seller", deadline=deadline, enforced=True)

    assert step.time_left(OPENED) == 5 * DAY
    assert step.time_left(deadline - SECOND) == SECOND
    assert step.time_left(deadline) == timedelta(0)
    assert step.time_left(deadline + DAY) == timedelta(0)
    assert deadlines.NextStep(actor=None).time_left(OPENED) is None


# The worker's queue: what an action leaves for the worker to do, and when.


def queued(task):
    return DBTaskResult.objects.filter(task_path=task.module_path)


def test_a_stage_queues_its_deadline_and_the_reminder_before_it(buyer):
    dispute = answerable_dispute(buyer)

    (act,) = queued(tasks.act_on_deadline)
    (remind,) = queued(tasks.remind_party)
    assert act.run_after == dispute.stage_deadline
    assert act.args_kwargs["args"] == [dispute.pk]
    assert remind.run_after == dispute.stage_deadline - timedelta(hours=48)
    assert remind.args_kwargs["args"] == [dispute.pk, dispute.stage_deadline.isoformat()]


def test_no_reminder_is_queued_when_its_time_has_passed(buyer):
    # Opened four days ago: the seller's deadline is in a day, the reminder time is past.
    dispute = waiting_for_seller(buyer, opened=timezone.now() - 4 * DAY)

    assert queued(tasks.act_on_deadline).get().run_after == dispute.stage_deadline
    assert not queued(tasks.remind_party).exists()


def test_the_worker_escalates_a_dispute_whose_deadline_has_passed(buyer):
    dispute = waiting_for_seller(buyer, opened=timezone.now() - 5 * DAY - SECOND)

    run_tasks()

    dispute.refresh_from_db()
    assert dispute.escalation_reason == EscalationReason.SELLER_DID_NOT_ANSWER
    assert dispute.events.filter(kind=EventKind.ESCALATED, actor=None).count() == 1


def test_the_sweep_catches_what_a_stopped_worker_missed(buyer):
    dispute = waiting_for_seller(buyer, opened=timezone.now() - 6 * DAY)
    DBTaskResult.objects.all().delete()  # as if the worker had lost its queue

    assert tasks.sweep_deadlines.call() == 1
    assert tasks.sweep_deadlines.call() == 0

    dispute.refresh_from_db()
    assert dispute.stage == Stage.WITH_MEDIATOR


# Reminders: one email to the party whose deadline comes, before it.


def remind(dispute):
    """Run the reminder task as the worker would, and deliver what it queued."""
    mail.outbox.clear()
    sent = tasks.remind_party.call(dispute.pk, dispute.stage_deadline.isoformat())
    run_tasks()
    return sent


def flushed(dispute):
    """``dispute`` once the emails of how it got here are delivered and forgotten."""
    run_tasks()
    mail.outbox.clear()
    return Dispute.objects.get(pk=dispute.pk)


@pytest.mark.parametrize(
    ("build", "party"),
    [
        (answerable_dispute, Party.SELLER),
        (offered_dispute, Party.BUYER),
        (information_requested_dispute, Party.SELLER),
        (lambda buyer: information_requested_dispute(buyer, Party.BUYER), Party.BUYER),
    ],
)
def test_a_reminder_goes_to_the_party_whose_deadline_comes(buyer, build, party):
    dispute = flushed(build(buyer))
    recipient = buyer if party == Party.BUYER else seller_of(dispute)

    assert remind(dispute) is True

    (email,) = mail.outbox
    assert email.to == [recipient.email]
    assert email.subject.startswith(f"Reminder: the dispute on order {dispute.order.number}")
    with timezone.override(PARIS):
        shown = timezone.localtime(dispute.stage_deadline)
    assert f"please answer by {shown:%-d %b %Y, %H:%M}" in email.body
    page = "disputes:detail" if party == Party.BUYER else "disputes:seller_detail"
    (token,) = email_links_in(email.body)  # signs its reader in, then opens the page
    assert link_of(token).next_path == reverse(page, args=[dispute.pk])


def test_a_reminder_run_twice_sends_one_email(buyer):
    dispute = flushed(answerable_dispute(buyer))

    assert remind(dispute) is True
    assert len(mail.outbox) == 1
    assert remind(dispute) is False
    assert mail.outbox == []


def test_no_reminder_once_the_party_acted(buyer):
    dispute = flushed(answerable_dispute(buyer))
    seller_deadline = dispute.stage_deadline
    actions.refuse_request(dispute=dispute, seller=seller_of(dispute), statement=STATEMENT)
    flushed(dispute)

    mail.outbox.clear()
    assert tasks.remind_party.call(dispute.pk, seller_deadline.isoformat()) is False
    run_tasks()
    assert mail.outbox == []


def test_no_reminder_for_a_dispute_cancelled_meanwhile(buyer):
    dispute = flushed(answerable_dispute(buyer))
    deadline = dispute.stage_deadline
    flushed(actions.cancel_dispute(dispute=dispute, buyer=buyer))

    assert tasks.remind_party.call(dispute.pk, deadline.isoformat()) is False
    run_tasks()
    assert mail.outbox == []


def test_a_new_deadline_gets_its_own_reminder(buyer):
    # The seller was reminded; the buyer's offer deadline is another one, reminded too.
    dispute = flushed(answerable_dispute(buyer))
    assert remind(dispute) is True
    offered = actions.make_offer(dispute=dispute, seller=seller_of(dispute), amount=OFFER)
    offered = flushed(offered)

    assert remind(offered) is True
    assert mail.outbox[0].to == [buyer.email]


# A party acting after their deadline, the worker being late: refused, and the dispute
# moves on as the worker would have moved it, in that same call.

# action: (its party, the stage it answers, what it does given the dispute and the party)
LATE_ACTIONS = {
    "accept_request": (
        "seller",
        waiting_for_seller,
        lambda d, user, now: actions.accept_request(dispute=d, seller=user, now=now),
    ),
    "make_offer": (
        "seller",
        waiting_for_seller,
        lambda d, user, now: actions.make_offer(dispute=d, seller=user, amount=OFFER, now=now),
    ),
    "refuse_request": (
        "seller",
        waiting_for_seller,
        lambda d, user, now: actions.refuse_request(
            dispute=d, seller=user, statement=STATEMENT, now=now
        ),
    ),
    "accept_offer": (
        "buyer",
        offer_waiting_for_buyer,
        lambda d, user, now: actions.accept_offer(dispute=d, buyer=user, now=now),
    ),
    "ask_for_mediation": (
        "buyer",
        offer_waiting_for_buyer,
        lambda d, user, now: actions.ask_for_mediation(dispute=d, buyer=user, now=now),
    ),
}
SILENCE_OF = {
    "seller": EscalationReason.SELLER_DID_NOT_ANSWER,
    "buyer": EscalationReason.BUYER_DID_NOT_ANSWER,
}


def party_of_action(party, dispute, buyer):
    return buyer if party == "buyer" else seller_of(dispute)


@pytest.mark.parametrize("action", LATE_ACTIONS)
@pytest.mark.parametrize("after", [timedelta(0), 3 * DAY], ids=["at_the_deadline", "days_after"])
def test_an_answer_after_the_deadline_is_refused_and_the_dispute_escalates(buyer, action, after):
    party, build, act = LATE_ACTIONS[action]
    dispute = build(buyer)
    deadline = dispute.stage_deadline

    with pytest.raises(actions.DisputeActionError) as error:
        act(dispute, party_of_action(party, dispute, buyer), deadline + after)

    assert error.value.code == actions.DisputeErrorCode.DEADLINE_PASSED
    dispute.refresh_from_db()  # the move outlives the refusal
    assert (dispute.status, dispute.stage) == (DisputeStatus.OPEN, Stage.WITH_MEDIATOR)
    assert (dispute.escalation_reason, dispute.escalated_at) == (
        SILENCE_OF[party],
        deadline + after,
    )
    assert (dispute.offer_amount is None) == (party == "seller")
    event = DisputeEvent.objects.filter(dispute=dispute).last()
    assert (event.kind, event.actor) == (EventKind.ESCALATED, None)


@pytest.mark.parametrize("action", LATE_ACTIONS)
def test_an_answer_one_second_before_the_deadline_is_taken(buyer, action):
    party, build, act = LATE_ACTIONS[action]
    dispute = build(buyer)

    act(dispute, party_of_action(party, dispute, buyer), dispute.stage_deadline - SECOND)

    assert not dispute.events.filter(kind=EventKind.ESCALATED, actor=None).exists()


def test_the_worker_does_nothing_after_a_late_answer_moved_the_dispute_on(buyer):
    dispute = waiting_for_seller(buyer)
    deadline = dispute.stage_deadline
    with pytest.raises(actions.DisputeActionError):
        actions.make_offer(
            dispute=dispute, seller=seller_of(dispute), amount=OFFER, now=deadline + SECOND
        )
    before = events_of(dispute)

    assert actions.act_on_deadline(dispute_id=dispute.pk, now=deadline + DAY) is None
    assert tasks.sweep_deadlines.call() == 0
    run_tasks()

    assert events_of(dispute) == before
    assert dispute.events.filter(kind=EventKind.ESCALATED).count() == 1


def test_the_refusal_names_the_deadline_in_the_readers_zone_and_language(buyer):
    dispute = waiting_for_seller(buyer)
    deadline = dispute.stage_deadline  # 25 March, 12:00 UTC: 13:00 in Paris
    with (
        timezone.override(PARIS),
        translation.override("fr"),
        pytest.raises(actions.DisputeActionError) as error,
    ):
        actions.accept_request(dispute=dispute, seller=seller_of(dispute), now=deadline + DAY)

    assert "25 mars 2026" in error.value.message
    assert "13:00" in error.value.message
    assert "médiateurs" in error.value.message


def test_a_late_reply_to_a_mediators_question_is_posted_after_the_request_lapses(buyer):
    dispute = information_requested(buyer, Party.SELLER)
    late = dispute.stage_deadline + SECOND

    message = actions.post_message(
        dispute=dispute, author=seller_of(dispute), body="Here it is, sorry.", now=late
    )

    dispute.refresh_from_db()
    assert message.pk is not None
    assert (dispute.stage, dispute.information_requested_from) == (Stage.WITH_MEDIATOR, None)
    kinds = list(dispute.events.values_list("kind", flat=True).order_by("pk"))[-2:]
    assert kinds == [EventKind.INFORMATION_LAPSED, EventKind.MESSAGE]
    assert actions.act_on_deadline(dispute_id=dispute.pk, now=late + DAY) is None
