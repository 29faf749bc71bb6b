import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
# Requests wait for the database only so long (settings.py, DATABASE_TIMEOUTS).
os.environ.setdefault("DATABASE_TIMEOUTS", "true")

application = get_wsgi_application()
