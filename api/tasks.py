"""The webhook worker's task (django.tasks, the DB backend, run by ``db_worker``)."""

from django.tasks import task


@task
def deliver_webhook(delivery_id: int, attempt: int) -> str:
    """One attempt at one webhook delivery; a failure queues the next (``webhooks``)."""
    from . import webhooks

    return webhooks.attempt_delivery(delivery_id, attempt)
