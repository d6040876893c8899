"""Slowing down password guessing: after too many failed sign-ins for one address, or from
one network address, within a window, sign-in is refused for a while without even
checking the password. Stored in the database, so every web worker sees the same count.
"""

from datetime import timedelta

from django.utils import timezone

from accounts.models import FailedSignIn

WINDOW = timedelta(minutes=15)
MAX_PER_EMAIL = 5
MAX_PER_IP = 30


def client_ip(request) -> str:
    """The address Django received the request from (behind a proxy, the proxy's own
    ``X-Forwarded-For`` handling belongs in the proxy and in REMOTE_ADDR)."""
    return (request.META.get("REMOTE_ADDR") or "")[:45] if request is not None else ""


def _recent(**filters):
    return FailedSignIn.objects.filter(at__gte=timezone.now() - WINDOW, **filters)


def wait_minutes(email: str, ip: str) -> int:
    """0 when sign-in may be tried, else how many minutes to wait."""
    checks = [({"email": email.strip().lower()}, MAX_PER_EMAIL)]
    if ip:
        checks.append(({"ip": ip}, MAX_PER_IP))
    for filters, limit in checks:
        failures = _recent(**filters).order_by("-at").values_list("at", flat=True)[:limit]
        if len(failures) >= limit:
            oldest_counted = failures[limit - 1]
            remaining = oldest_counted + WINDOW - timezone.now()
            return max(1, int(remaining.total_seconds() // 60) + 1)
    return 0


def purge_expired() -> int:
    """Forget every failure older than the window: it no longer counts, so it is not kept."""
    return FailedSignIn.objects.filter(at__lt=timezone.now() - WINDOW).delete()[0]


def record_failure(email: str, ip: str) -> None:
    FailedSignIn.objects.create(email=email.strip().lower()[:254], ip=ip)
    purge_expired()  # nothing kept longer than needed


def record_success(email: str) -> None:
    FailedSignIn.objects.filter(email=email.strip().lower()).delete()
    purge_expired()
