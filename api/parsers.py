"""JSON bodies, read within a size limit and with exact decimals."""

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from orders.importing import UnreadableJSON, parse_json

from .errors import PayloadTooLarge


def too_large_message(limit):
    return f"The body is larger than {limit:,} bytes, the API's limit: send fewer orders per call."


class JSONParser(BaseParser):
    """Refuses a body over ``API_MAX_BODY_BYTES`` (413) before reading it when its length is
    declared, and stops reading past the limit otherwise; the JSON is read as the orders
    import reads its files (``orders.importing.parse_json``: exact numbers, NaN or
    Infinity refused, and where an unreadable body breaks)."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge(too_large_message(limit))
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise PayloadTooLarge(too_large_message(limit))
        try:
            return parse_json(raw)
        except UnreadableJSON as error:
            raise ParseError(f"The body {error}.") from None
