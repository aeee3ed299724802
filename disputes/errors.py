"""The one error a dispute action raises: a code for programs and tests, a sentence for people."""

from enum import StrEnum

from django.core.exceptions import ValidationError

from .eligibility import Eligibility


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
    APPEAL_WINDOW_CLOSED = "appeal_window_closed"
    ALREADY_ANSWERED = "already_answered"
    ANSWER_REQUIRED = "answer_required"
    NOT_THE_SELLER = "not_the_seller"
    NOT_A_PARTY = "not_a_party"
    WRONG_STAGE = "wrong_stage"
    STATEMENT_TOO_SHORT = "statement_too_short"
    OFFER_NOT_BELOW_REQUEST = "offer_not_below_request"
    NO_SELLER_ACCOUNT = "no_seller_account"
    INVALID_PARTY = "invalid_party"
    MESSAGE_EMPTY = "message_empty"
    INTERNAL_NOTES_ARE_MEDIATORS = "internal_notes_are_mediators"
    DISPUTE_CLOSED = "dispute_closed"
    TOO_MANY_FILES = "too_many_files"
    DEADLINE_PASSED = "deadline_passed"
    REFUND_ALREADY_EXECUTED = "refund_already_executed"
    REFUND_OTHER_REFERENCE = "refund_executed_with_another_reference"
    REFUND_SUPERSEDED = "refund_superseded"
    REFUND_NOT_FAILED = "refund_not_failed"
    NOTHING_TO_SETTLE = "nothing_to_settle"
    REFUND_EXECUTED_IN_THE_FUTURE = "refund_executed_in_the_future"
    NO_RETURN_ADDRESS = "no_return_address"
    TRACKING_REQUIRED = "tracking_required"
    # A parcel that never arrived (PRODUCT.md §2a).
    INVALID_REASON = "invalid_reason"
    PROOF_OF_DELIVERY_REQUIRED = "proof_of_delivery_required"
    ALREADY_EXTENDED = "already_extended"
    INVALID_EXTENSION = "invalid_extension"
    NOT_A_MISSING_PARCEL = "not_a_missing_parcel"
    PARCEL_NOT_RECEIVED = "parcel_not_received"
    # A team of mediators (PRODUCT.md §5).
    REASON_REQUIRED = "reason_required"
    NOT_AN_ASSIGNEE = "not_an_assignee"
    NOTHING_NEW = "nothing_new"


class DisputeActionError(Exception):
    """A state change that is not allowed now.

    ``code`` says which rule refused it, ``message`` says so to the buyer or mediator in
    their language, and ``eligibility`` lists every failed rule when the order's were.
    """

    def __init__(
        self, code: DisputeErrorCode, message: str, *, eligibility: Eligibility | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.eligibility = eligibility

    def as_validation_error(self) -> ValidationError:
        """The refusal as a form's error beside its field, with the same code."""
        return ValidationError(self.message, code=self.code)


class DeadlinePassed(DisputeActionError):
    """A party acted after their deadline: refused, once the dispute has moved on as the
    worker would have moved it (``disputes.actions`` keeps that move)."""
