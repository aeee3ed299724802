"""What operators watch: metrics at /metrics, one log line per request and per task run,
a request id that follows a request into the tasks it queued, errors to Sentry.

docs/deploy.md ("Watching it") says what to scrape and what each alert asks of an operator.
"""
