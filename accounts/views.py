import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from accounts import privacy, throttle
from accounts.forms import DeleteAccountForm, SignUpForm
from accounts.policy import can_delete_own_account, can_export_own_data, last_admin_standing, role_of
from territories.models import Level, Territory


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Bienvenue ! Votre compte est créé.")
        return redirect("accounts:profile")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def profile(request):
    projects = Territory.objects.filter(level=Level.PROJECT, owner=request.user).order_by("name")
    return render(request, "accounts/profile.html", {"role": role_of(request.user), "projects": projects})


@require_safe
def privacy_page(request):
    """What the platform keeps about people, why, on what basis and for how long."""
    return render(request, "accounts/privacy.html", {
        "throttle_minutes": int(throttle.WINDOW.total_seconds() // 60),
        "max_per_email": throttle.MAX_PER_EMAIL,
        "max_per_ip": throttle.MAX_PER_IP,
        "session_days": settings.SESSION_COOKIE_AGE // 86400,
        "deleted_contributor": privacy.DELETED_CONTRIBUTOR,
    })


@login_required
@require_safe
def my_data_export(request):
    if not can_export_own_data(request.user):
        raise PermissionDenied
    data = privacy.user_data(request.user)
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="mes-donnees-catalyseur-{day}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    if not can_delete_own_account(request.user):
        return render(request, "accounts/delete_account.html",
                      {"refused": True, "last_admin": last_admin_standing(request.user)}, status=403)
    form = DeleteAccountForm(request.user, request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        privacy.delete_account(request.user)
        logout(request)
        messages.success(request, "Votre compte et vos données personnelles ont été supprimés. "
                                  "Vos contributions restent, sans votre nom.")
        return redirect("home")
    summary = {
        "has_catalyst": hasattr(request.user, "catalyst"),
        "fiches": request.user.case_studies.count(),
        "private_projects": Territory.objects.filter(level=Level.PROJECT, owner=request.user, is_private=True).count(),
        "public_projects": Territory.objects.filter(level=Level.PROJECT, owner=request.user, is_private=False).count(),
        "memberships": request.user.memberships.count(),
    }
    return render(request, "accounts/delete_account.html", {"form": form, **summary},
                  status=400 if form.errors else 200)
