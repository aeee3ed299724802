"""The one error a dispute action raises: a code for programs and tests, a sentence for people."""

from enum import StrEnum


class DisputeErrorCode(StrEnum):
    NOT_YOURS = "not_yours"
    NOT_MEDIATOR = "not_mediator"
    NOT_ELIGIBLE = "not_eligible"
    REOPEN_INSTEAD = "reopen_instead"
    ALREADY_OPEN = "already_open"
    INVALID_REQUEST = "invalid_request"
    INVALID_AMOUNT = "invalid_amount"
    NOT_OPEN = "not_open"
    NOT_CANCELLED = "not_cancelled"
    CANCELLED = "cancelled"
    ALREADY_DECIDED = "already_decided"
    INVALID_OUTCOME = "invalid_outcome"
    NOTE_REQUIRED = "note_required"
    NOT_APPEALABLE = "not_appealable"
    MESSAGE_REQUIRED = "message_required"
    ALREADY_APPEALED = "already_appealed"
    ALREADY_ANSWERED = "already_answered"
    ANSWER_REQUIRED = "answer_required"


class DisputeActionError(Exception):
    """A state change that is not allowed now.

    ``code`` says which rule refused it, ``message`` says so to the buyer or mediator in
    their language, and ``eligibility`` lists every failed rule when the order's were.
    """

    def __init__(self, code: DisputeErrorCode, message: str, *, eligibility=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.eligibility = eligibility
