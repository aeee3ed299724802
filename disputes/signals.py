"""What the disputes app tells the rest of the project.

``dispute_event_recorded`` is sent, with ``event``, inside the transaction that records
the event: each listener's work (emails, webhooks) commits or rolls back with the event.
"""

from django.dispatch import Signal

dispute_event_recorded = Signal()
