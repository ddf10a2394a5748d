from django.apps import AppConfig


class L10nConfig(AppConfig):
    """Vietnamese catalogues for third-party apps that ship none (django-allauth).

    Listed before those apps in INSTALLED_APPS so that its translations take precedence; it has
    no code with messages of its own, so ``makemessages`` never rewrites its catalogue.
    """

    name = "danvan.l10n"
    label = "l10n"
