"""The mediators' workplace: the queue of disputes (``queue``), a dispute's page and the
actions taken on it (``disputes``), the appeals (``appeals``) and the saved replies
(``saved_replies``).

Everything a party submitted is read-only here; the only changes are the mediators' own
(information requests, messages, internal notes, decisions and answers), made through
``disputes.actions`` so each one is recorded with its mediator and time.
"""

from django.contrib import admin

from disputes.models import Appeal, Dispute, SavedReply

from .appeals import AppealAdmin
from .disputes import DisputeAdmin
from .saved_replies import SavedReplyAdmin

admin.site.register(Dispute, DisputeAdmin)
admin.site.register(Appeal, AppealAdmin)
admin.site.register(SavedReply, SavedReplyAdmin)
