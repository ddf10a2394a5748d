"""Settings of the server and worker processes the reliability tests start.

The test settings run tasks immediately in-process; a real worker needs the database backend,
exactly as in production. Everything else (database from DANVAN_DATABASE_URL, cheap hashing) is
the test settings'.
"""

from danvan.settings.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
