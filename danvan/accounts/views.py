from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from danvan.orgs.models import Membership

from . import services
from .forms import ApiTokenForm
from .models import ApiToken


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    memberships = Membership.objects.active().filter(user=request.user).select_related("org_unit").order_by("org_unit__path")
    return render(request, "accounts/profile.html", {"memberships": memberships})


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    new_secret = None
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_secret = services.create_api_token(
                user=request.user, name=form.cleaned_data["name"], expires_on=form.cleaned_data["expires_on"]
            )
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                for e in errs:
                    form.add_error(field if field in form.fields else None, e)
        else:
            messages.success(request, _("The token was created. Copy it now: it will not be shown again."))
            form = ApiTokenForm()
    user_tokens = ApiToken.objects.filter(user=request.user.pk).order_by("-created_at")[:100]
    return render(request, "accounts/tokens.html", {"form": form, "tokens": user_tokens, "new_secret": new_secret})


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user_id=request.user.pk)
    services.revoke_api_token(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("accounts:tokens")
