"""Draft keys: evidence uploaded before a form is submitted (the wizard, an appeal, a seller's
refusal, a message) belongs to a key that this person's session was issued, so no one can
park files under a key of their own.

Which evidence is a draft is the model's to say (``Evidence.is_draft``,
``Evidence.objects.drafts()``); this module only issues and recognises keys.
"""

import secrets

from django.contrib.sessions.backends.base import SessionBase

SESSION_KEY = "evidence_draft_keys"
# Enough for every form with evidence a person has open at once.
KEPT_PER_SESSION = 50


def issue_draft_key(session: SessionBase) -> str:
    key = secrets.token_urlsafe(24)
    session[SESSION_KEY] = [*session.get(SESSION_KEY, [])[-(KEPT_PER_SESSION - 1) :], key]
    return key


def is_issued(session: SessionBase, key: str) -> bool:
    return bool(key) and key in session.get(SESSION_KEY, [])


def form_draft_key(session: SessionBase, form_name: str) -> str:
    """The draft key of one form (``form_name``, e.g. "message_draft_12"), kept in the
    session until the form is sent; issued anew once the session no longer recognises it."""
    key = session.get(form_name, "")
    if not is_issued(session, key):
        key = session[form_name] = issue_draft_key(session)
    return key
