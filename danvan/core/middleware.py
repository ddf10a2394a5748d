"""Vietnamese unless the user chose otherwise.

Many officials' browsers are set to English (the default of a computer bought with an English
Windows); Django's ``LocaleMiddleware`` would then show them the English msgids. The platform's
language is Vietnamese: the browser's Accept-Language is ignored, and English is shown only to a
user who picks it in the language switcher (the ``django_language`` cookie that ``/i18n/setlang/``
sets). Placed right before ``LocaleMiddleware``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class IgnoreBrowserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
