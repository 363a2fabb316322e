"""WSGI entry point (gunicorn ascn.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ascn.settings")
application = get_wsgi_application()
