import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings.dev")
application = get_wsgi_application()


def _load_urls() -> None:
    """Import every view module and build the API's schemas while the worker boots, not in its first request.

    Django loads the URL configuration lazily; with every app's views and the API's models that
    takes seconds, and a worker doing it in its first request keeps the requests it accepted
    meanwhile waiting (seen in the petitions bench: a tenth of a fresh gunicorn's first 20 s).
    """
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - importing is the point


_load_urls()
