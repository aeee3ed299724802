"""
WSGI config for config project.

It exposes the WSGI callable as a module-level variable named ``application``: Django's,
reading chunked bodies without a length too (``config.chunked``).

For more information on this file, see
https://docs.djangoproject.com/en/6.1/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

from config.chunked import ChunkedBodies

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = ChunkedBodies(get_wsgi_application())
