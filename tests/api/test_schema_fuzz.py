"""The OpenAPI description is true: schemathesis reads it from the running app (a real
server on 127.0.0.1), which checks it is a valid OpenAPI document, then sends every
operation valid and invalid requests generated from it. Every answer must be no 500,
documented (status, content type, headers) and match its schema, and every invalid
request must be refused with a 4xx (a valid one may be refused too, by the rules of
orders.importing that a schema cannot state). Bounded: a fixed number of examples per operation
and mode, derandomized, so a run takes well under a minute."""

import pytest
import schemathesis
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.models import ApiClient
from tests.disputes.builders import agreed_dispute, information_requested_dispute
from tests.factories import make_user

EXAMPLES = 25


@pytest.fixture
def api_token(transactional_db, settings):
    settings.API_THROTTLE_RATES = dict.fromkeys(settings.API_THROTTLE_RATES, "100000/minute")
    settings.API_FEED_SETTLE_SECONDS = 0
    buyer = make_user("alice")
    information_requested_dispute(buyer)
    agreed_dispute(buyer)
    return ApiClient.create("Fuzzer")[1]


def fuzz(operation, mode, token):
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"},
            # A record can match the schema and still break a rule no JSON schema says
            # (a seller's account taken, a receipt before its shipment): a documented 400.
            excluded_checks=[positive_data_acceptance],
        )

    check()


def test_every_answer_matches_the_schema(live_server, api_token):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/?format=json")
    # The token is the test's (sent with every case); generated ones would only be 401s.
    schema.config.generation.update(with_security_parameters=False)
    validate_schema(schema.raw_schema)  # against the OpenAPI 3.0 meta-schema
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {operation.label for operation in operations} == {
        "POST /api/v1/orders/",
        "GET /api/v1/orders/{number}/",
        "PATCH /api/v1/orders/{number}/",
        "GET /api/v1/events/",
        "GET /api/v1/disputes/",
        "GET /api/v1/disputes/{id}/",
        "POST /api/v1/sign-in-links/",
        "GET /api/v1/refunds/",
        "POST /api/v1/refunds/{refund_id}/executed/",
        "POST /api/v1/refunds/{refund_id}/failed/",
    }
    failures = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                fuzz(operation, mode, api_token)
            except Exception as error:  # every operation is tried; all failures reported
                failures.append(f"{operation.label} ({mode.value}):\n{error}")
    assert not failures, "\n\n".join(failures)
