"""JSON bodies, read within a size limit and with exact decimals."""

import json
from decimal import Decimal

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from .errors import PayloadTooLarge


def _refuse_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def too_large_message(limit):
    return f"The body is larger than {limit:,} bytes, the API's limit: send fewer orders per call."


class JSONParser(BaseParser):
    """Refuses a body over ``API_MAX_BODY_BYTES`` (413) before reading it when its length is
    declared, and stops reading past the limit otherwise; prices given as JSON numbers stay
    exact (``Decimal``), and NaN or Infinity are not numbers."""

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
            return json.loads(
                raw.decode("utf-8"), parse_float=Decimal, parse_constant=_refuse_constant
            )
        except UnicodeDecodeError:
            raise ParseError("The body is not UTF-8 text.") from None
        except json.JSONDecodeError as error:
            raise ParseError(
                f"The body is not valid JSON: {error.msg} at line {error.lineno}, "
                f"column {error.colno}."
            ) from None
        except (ValueError, RecursionError) as error:
            raise ParseError(f"The body is not valid JSON: {error}.") from None
