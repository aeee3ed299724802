"""The data set at SCALE times its size: what a marketplace's volume does to the same pages.

The benchmark's own set (``dataset.load``: its buyer, seller, mediator and dispute) is loaded
as at 1x, then (SCALE - 1) times its volume of other buyers, orders, disputes, events,
evidence, appeals and messages is written by PostgreSQL itself, in multi-row
``INSERT … SELECT`` statements over ``generate_series`` of a million rows each: no row goes
through Python. The rows keep the models' constraints: one open dispute per order, decided
iff an outcome, open iff a stage, received orders only.
"""

import time
from contextlib import contextmanager

from django.db import connection, transaction
from django.utils import timezone

from disputes.deadlines import stage_deadline
from disputes.models import DisputeReason, Outcome, Stage

# Rows per statement: large enough that a statement's overhead vanishes, small enough that
# progress shows and no transaction holds ten million rows.
CHUNK = 1_000_000
# Orders numbered apart from the 1x set's (803...): 9000000000000000 + n.
NUMBER_BASE = 9_000_000_000_000_000
# One order in this many is disputed (5,000 of 100,000, as at 1x).
DISPUTED_EVERY = 20


def grow(size, *, factor, mediator_id, answering_seller_id, step):
    """Add (factor - 1) times ``size`` of other buyers' data beside the 1x set; ``step`` prints
    each table's time."""
    buyers, orders = (factor - 1) * size.buyers, (factor - 1) * size.orders
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM accounts_user")
        (first_buyer,) = cursor.fetchone()
        first_buyer += 1
        _chunked(cursor, _BUYERS, buyers, step, "buyers", first=first_buyer)
        cursor.execute(
            "SELECT array_agg(id) FROM orders_seller WHERE id <> %s", [answering_seller_id]
        )
        (seller_ids,) = cursor.fetchone()
        with _indexes_built_after(cursor, "orders_order", step):
            _chunked(
                cursor,
                _ORDERS,
                orders,
                step,
                "orders",
                first_buyer=first_buyer,
                buyers=buyers,
                sellers=seller_ids,
                number_base=NUMBER_BASE,
            )
        now = timezone.now()
        window = stage_deadline(Stage.WITH_MEDIATOR, now) - now
        for name, sql, params in (
            ("disputes", _DISPUTES, {"window": window, "mediator": mediator_id}),
            ("events: opened, decided, cancelled", _OUTCOME_EVENTS, {"mediator": mediator_id}),
            ("evidence and its events", _EVIDENCE, {}),
            ("appeals and their events", _APPEALS, {"mediator": mediator_id}),
            ("messages and their events", _MESSAGES, {}),
        ):
            _chunked(
                cursor,
                sql,
                orders,
                step,
                name,
                number_base=NUMBER_BASE,
                every=DISPUTED_EVERY,
                reasons=DisputeReason.values,
                outcomes=Outcome.values,
                **params,
            )


@contextmanager
def _indexes_built_after(cursor, table, step):
    """Drop ``table``'s secondary indexes, then build them again from their definitions:
    one sort each is several times faster than ten million scattered insertions. The
    indexes behind constraints (the key, unique order numbers) stay."""
    cursor.execute(
        """SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN
        (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)""",
        [table, table],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    yield
    started = time.monotonic()
    cursor.execute("SET maintenance_work_mem = '256MB'")
    for _name, definition in indexes:
        cursor.execute(definition)
    step(f"  {len(indexes)} indexes of {table} built in {time.monotonic() - started:.1f} s")


def _chunked(cursor, sql, total, step, name, **params):
    """Run ``sql`` over [low, high) ranges of the series 0..total - 1, a transaction each."""
    started = time.monotonic()
    for low in range(0, total, CHUNK):
        with transaction.atomic():
            cursor.execute(sql, {**params, "low": low, "high": min(low + CHUNK, total)})
    step(f"  {name} in {time.monotonic() - started:.1f} s")


# Every buyer's password is unusable, as at 1x.
_BUYERS = """
INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email,
    is_staff, is_active, date_joined, time_zone, language, marketplace_id, browser_time_zone)
SELECT '!bench-unusable', false, 'scale-buyer' || n, '', '', 'scale-buyer' || n || '@example.com',
    false, true, now(), '', '', '', ''
FROM generate_series(%(low)s::bigint, %(high)s::bigint - 1) AS n
"""

# Placed 30 to 730 days ago, shipped a day later (93%), received 3 to 25 days after (85%).
_ORDERS = """
INSERT INTO orders_order (number, item, description, price, currency, placed_at, shipped_at,
    received_at, buyer_id, seller_id)
SELECT (%(number_base)s + n)::text, 'Wireless earbuds', 'Bluetooth 5.3, charging case, 30 h',
    0.99 + (n * 7919 %% 24900) / 100.0, (ARRAY['EUR', 'EUR', 'EUR', 'USD', 'GBP'])[1 + n %% 5],
    placed, CASE WHEN n %% 100 < 93 THEN placed + interval '1 day' END,
    CASE WHEN n %% 100 < 85 THEN placed + interval '1 day' * (4 + n %% 23) END,
    %(first_buyer)s + (n * 7 %% %(buyers)s),
    (%(sellers)s::bigint[])[1 + n %% cardinality(%(sellers)s::bigint[])]
FROM generate_series(%(low)s::bigint, %(high)s::bigint - 1) AS n,
    LATERAL (SELECT now() - interval '1 minute' * (43200 + n * 104729 %% 1008000)) AS p(placed)
"""

# The scaled orders in [low, high) that have a dispute, m-th of them: every twentieth order,
# which is always received (n % 100 < 85).
_DISPUTED = """
SELECT o.id AS order_id, o.buyer_id, o.seller_id, o.price, o.received_at,
    s.n / %(every)s AS m, (s.n / %(every)s) %% 10 AS kind
FROM generate_series(%(low)s::bigint, %(high)s::bigint - 1) AS s(n)
JOIN orders_order o ON o.number = (%(number_base)s + s.n)::text
WHERE s.n %% %(every)s = 0
"""

# Of ten disputes, 4 wait on the mediators (no seller account), 2 were cancelled, 4 decided.
_DISPUTES = f"""
INSERT INTO disputes_dispute (order_id, seller_id, status, reason, refund_request,
    requested_amount, description, opened_at, language, cancelled_at, outcome, refund_amount,
    decision_note, decided_at, decided_by_id, escalated_at, escalation_reason, seller_statement,
    stage, stage_deadline, stage_started_at, return_address, return_carrier, return_problem,
    return_tracking_number, delivery_carrier, delivery_tracking_number, decision_reason)
SELECT d.order_id, d.seller_id,
    CASE WHEN d.kind < 4 THEN 'open' WHEN d.kind < 6 THEN 'cancelled' ELSE 'decided' END,
    (%(reasons)s::text[])[1 + d.m %% cardinality(%(reasons)s::text[])],
    CASE WHEN d.m %% 3 = 0 THEN 'partial' ELSE 'full' END,
    CASE WHEN d.m %% 3 = 0 THEN round(d.price / 2, 2) END,
    'The item stopped working after two days; photos attached.', opened, 'en',
    CASE WHEN d.kind IN (4, 5) THEN ended END,
    CASE WHEN d.kind >= 6 THEN outcome END,
    CASE WHEN d.kind >= 6 AND outcome = 'partial_refund' THEN round(d.price / 4, 2) END,
    CASE WHEN d.kind >= 6 THEN 'The photos show the fault; the seller did not answer.'
        ELSE '' END,
    CASE WHEN d.kind >= 6 THEN ended END,
    CASE WHEN d.kind >= 6 THEN %(mediator)s::bigint END,
    CASE WHEN d.kind < 4 THEN opened END,
    CASE WHEN d.kind < 4 THEN 'no_seller_account' ELSE '' END,
    '', CASE WHEN d.kind < 4 THEN 'with_mediator' END,
    CASE WHEN d.kind < 4 THEN opened + %(window)s END,
    CASE WHEN d.kind < 4 THEN opened END,
    '', '', '', '', '', '', ''
FROM ({_DISPUTED}) AS d,
    LATERAL (SELECT least(d.received_at + interval '1 hour' * (1 + d.m %% 300),
                          now() - interval '10 minutes'),
                    (%(outcomes)s::text[])[1 + (d.m / 7) %% cardinality(%(outcomes)s::text[])])
        AS t(opened, outcome),
    LATERAL (SELECT opened + (now() - opened) / 2) AS e(ended)
"""

_SCALED_DISPUTES = f"""
SELECT x.*, ds.id AS dispute_id, ds.status, ds.outcome, ds.opened_at, ds.cancelled_at,
    ds.decided_at
FROM ({_DISPUTED}) AS x JOIN disputes_dispute ds ON ds.order_id = x.order_id
"""

# Each dispute's opening, and its cancellation or decision, as disputes.events writes them.
_OUTCOME_EVENTS = f"""
INSERT INTO disputes_disputeevent (kind, created_at, details, actor_id, dispute_id)
SELECT e.kind, e.created_at, e.details, e.actor_id, d.dispute_id
FROM ({_SCALED_DISPUTES}) AS d,
    LATERAL (VALUES ('opened', d.opened_at, '{{}}'::jsonb, d.buyer_id),
                    ('cancelled', d.cancelled_at, '{{}}'::jsonb, d.buyer_id),
                    ('decided', d.decided_at, jsonb_build_object('outcome', d.outcome),
                     %(mediator)s::bigint))
        AS e(kind, created_at, details, actor_id)
WHERE e.created_at IS NOT NULL
"""

# Zero to three photos a dispute, each with its "evidence added" event.
_EVIDENCE = f"""
WITH files AS (
    SELECT d.*, f.number, 'IMG_' || (2000 + f.number) || '.jpg' AS name,
        md5(d.dispute_id || '-' || f.number) AS token
    FROM ({_SCALED_DISPUTES}) AS d, generate_series(0, d.m %% 4 - 1) AS f(number)
), evidence AS (
    INSERT INTO disputes_evidence (draft_key, kind, original_name, original, display, thumbnail,
        mime, size, sha256, width, height, uploaded_at, dispute_id, order_id, uploaded_by_id)
    SELECT '', 'photo', name, 'bench/' || token || '.jpg', 'bench/' || token || '-display.webp',
        'bench/' || token || '-thumb.webp', 'image/jpeg', 200000 + d.m %% 3800000,
        token || token, 3024, 4032, opened_at, dispute_id, order_id, buyer_id
    FROM files AS d
    RETURNING 1
)
INSERT INTO disputes_disputeevent (kind, created_at, details, actor_id, dispute_id)
SELECT 'evidence_added', opened_at + interval '1 minute' * (number + 1),
    jsonb_build_object('evidence', jsonb_build_array(name)), buyer_id, dispute_id
FROM files
"""

# Half the rejected decisions are appealed, half of those answered, each with its events,
# between the decision and now: an event in the future would hold the events feed back.
_APPEALS = f"""
WITH appealed AS (
    SELECT d.*, d.decided_at + (now() - d.decided_at) / 3 AS sent_at,
        CASE WHEN d.m %% 4 = 0 THEN d.decided_at + (now() - d.decided_at) * 2 / 3
        END AS answered_at
    FROM ({_SCALED_DISPUTES}) AS d
    WHERE d.outcome = 'rejected' AND d.m %% 2 = 0
), appeals AS (
    INSERT INTO disputes_appeal (message, sent_at, answer, answered_at, answered_by_id,
        dispute_id, answer_reason, party, ruling)
    SELECT 'The seller never answered me.', sent_at,
        CASE WHEN answered_at IS NULL THEN '' ELSE 'We reviewed the decision and it stands.' END,
        answered_at, CASE WHEN answered_at IS NOT NULL THEN %(mediator)s::bigint END,
        dispute_id, '', 'buyer', CASE WHEN answered_at IS NOT NULL THEN 'upheld' ELSE '' END
    FROM appealed
    RETURNING 1
)
INSERT INTO disputes_disputeevent (kind, created_at, details, actor_id, dispute_id)
SELECT e.kind, e.created_at, '{{}}'::jsonb, e.actor_id, a.dispute_id
FROM appealed AS a,
    LATERAL (VALUES ('appeal_sent', a.sent_at, a.buyer_id),
                    ('appeal_answered', a.answered_at, %(mediator)s::bigint))
        AS e(kind, created_at, actor_id)
WHERE e.created_at IS NOT NULL
"""

# One message from the buyer a dispute, an hour after it opened, with its event.
_MESSAGES = f"""
WITH messages AS (
    INSERT INTO disputes_disputemessage (body, internal, sent_at, author_id, dispute_id)
    SELECT 'The photos show the crack on the left side.', false,
        d.opened_at + interval '1 hour', d.buyer_id, d.dispute_id
    FROM ({_SCALED_DISPUTES}) AS d
    RETURNING id, sent_at, author_id, dispute_id
)
INSERT INTO disputes_disputeevent (kind, created_at, details, actor_id, dispute_id)
SELECT 'message', sent_at, jsonb_build_object('message', id, 'evidence', '[]'::jsonb),
    author_id, dispute_id
FROM messages
"""
