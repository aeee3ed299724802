"""Draft keys: evidence uploaded before a wizard or appeal form is submitted belongs to a key
that this buyer's session was issued, so no one can park files under a key of their own.

Which evidence is a draft is the model's to say (``Evidence.is_draft``,
``Evidence.objects.drafts()``); this module only issues and recognises keys.
"""

import secrets

from django.contrib.sessions.backends.base import SessionBase

SESSION_KEY = "evidence_draft_keys"
# Enough for every wizard and appeal form a buyer has open at once.
KEPT_PER_SESSION = 50


def issue_draft_key(session: SessionBase) -> str:
    key = secrets.token_urlsafe(24)
    session[SESSION_KEY] = [*session.get(SESSION_KEY, [])[-(KEPT_PER_SESSION - 1) :], key]
    return key


def is_issued(session: SessionBase, key: str) -> bool:
    return bool(key) and key in session.get(SESSION_KEY, [])
