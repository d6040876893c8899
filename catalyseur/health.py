"""The health check a load balancer or an orchestrator polls: is the site up, and does it
reach its database? JSON, no session, no redirect to HTTPS (see SECURE_REDIRECT_EXEMPT)."""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("catalyseur.health")


@never_cache
@require_safe
def health(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any database failure makes the site unhealthy
        logger.error("health check: database unreachable: %s", error)
        return JsonResponse({"statut": "indisponible", "base_de_donnees": "injoignable"}, status=503)
    return JsonResponse({"statut": "ok", "base_de_donnees": connection.vendor})
