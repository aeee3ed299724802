"""Draft keys: evidence uploaded before a wizard or appeal form is submitted belongs to a key
that this buyer's session was issued, so no one can park files under a key of their own."""

import secrets

SESSION_KEY = "evidence_draft_keys"
# Enough for every wizard and appeal form a buyer has open at once.
KEPT_PER_SESSION = 50


def issue_draft_key(session):
    key = secrets.token_urlsafe(24)
    session[SESSION_KEY] = [*session.get(SESSION_KEY, [])[-(KEPT_PER_SESSION - 1) :], key]
    return key


def is_issued(session, key):
    return bool(key) and key in session.get(SESSION_KEY, [])
