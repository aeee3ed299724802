"""The stage table (``disputes.stages``) is whole: every stage has an entry, a setting for
its days, words for whoever acts in it, in English and in French."""

import pytest
from django.conf import settings
from django.utils import translation

from disputes.parties import MEDIATOR, Party
from disputes.stages import (
    ASKED_PARTY,
    EXPIRING_STAGES,
    MEDIATOR_STAGES,
    STAGES,
    Escalate,
    OnDeadline,
    Stage,
)


def test_every_stage_has_an_entry():
    assert set(STAGES) == set(Stage)


@pytest.mark.parametrize("stage", Stage)
def test_a_stages_days_come_from_a_whole_number_setting(stage):
    assert isinstance(getattr(settings, STAGES[stage].days_setting), int)


@pytest.mark.parametrize("stage", Stage)
def test_a_stage_is_told_for_whoever_may_act_in_it(stage):
    rule = STAGES[stage]
    who = set(Party) if rule.acts == ASKED_PARTY else {rule.acts}
    assert set(rule.told) == who


@pytest.mark.parametrize("stage", Stage)
def test_a_partys_silence_never_decides_and_the_mediators_date_is_only_shown(stage):
    rule = STAGES[stage]
    if rule.acts == MEDIATOR:
        assert rule.on_deadline == OnDeadline.SHOWN_ONLY
    elif rule.on_deadline == OnDeadline.REFUND:
        # Only the seller's silence ends a dispute, in the buyer's favour (PRODUCT.md §4e).
        assert rule.acts == Party.SELLER
    else:
        assert isinstance(rule.on_deadline, Escalate) or rule.on_deadline == OnDeadline.LAPSE


def test_the_mediators_queue_and_the_workers_stages_come_from_the_table():
    assert MEDIATOR_STAGES == (Stage.WITH_MEDIATOR, Stage.INFORMATION_REQUESTED)
    assert EXPIRING_STAGES == (
        Stage.WAITING_FOR_SELLER,
        Stage.OFFER_WAITING_FOR_BUYER,
        Stage.INFORMATION_REQUESTED,
        Stage.RETURN_TO_SHIP,
        Stage.RETURN_ON_ITS_WAY,
        Stage.NOT_RECEIVED_WAITING_FOR_SELLER,
        Stage.EXTENSION_WAITING_FOR_BUYER,
    )


def sentences(stage):
    for told in STAGES[stage].told.values():
        yield told.badge[1]
        yield from (told.to_actor, told.if_silent, told.to_other, told.to_other_late)
        yield told.in_email
        yield told.in_queue


@pytest.mark.parametrize("stage", Stage)
def test_a_stages_words_are_in_french_too(stage):
    values = {"date": "25", "left": "2", "deadline": "25"}
    for sentence in filter(None, sentences(stage)):
        with translation.override("fr"):
            french = str(sentence) % values
        assert french != str(sentence) % values, sentence
