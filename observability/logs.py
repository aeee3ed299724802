"""Log records carry the current request id (``request_id``, None outside a request or a
task it queued); settings.LOGGING formats them as JSON lines in production and as plain
text under ``make run``."""

import logging

from . import request_id


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.current()
        return True
