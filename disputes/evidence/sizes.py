"""Measures as buyers read them: decimal megabytes, one decimal at most ("23.4", "20"), and
a measure over its limit that never reads as within it."""

import math

from django.utils.formats import number_format

BYTES_PER_TENTH = 100_000


def megabytes(size: int, *, limit: bool = False) -> str:
    """``size`` bytes in decimal megabytes, formatted for the active language.

    A file's size rounds up and a limit rounds down, so a file over a limit never reads
    as within it ("20.1 MB; at most 20 MB"); a whole number drops its ".0".
    """
    tenths = int(size) / BYTES_PER_TENTH
    value = (math.floor(tenths) if limit else math.ceil(tenths)) / 10
    return number_format(value, 0 if value.is_integer() else 1, use_l10n=True)


def tenths_over(value: float, limit: float) -> str:
    """``value``, which is over ``limit``, to one decimal: the nearest tenth, or the next
    one up where the nearest would read as within the limit ("2.01 seconds" shows as
    "2.1"; "2.0 seconds; at most 2" would contradict itself)."""
    tenths = round(value * 10)
    if tenths <= limit * 10:
        tenths = math.floor(limit * 10) + 1
    return number_format(tenths / 10, 1, use_l10n=True)
