"""Moved to ``config.fragments``: the mediators' queue (``disputes/admin.py``) still imports
it from here until it reads it from there."""

from config.fragments import FRAGMENT_TIMEOUT, fingerprint

__all__ = ["FRAGMENT_TIMEOUT", "fingerprint"]
