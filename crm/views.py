from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from crm.health import health_report


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, broker, worker heartbeat and scheduled jobs; 503 when a store is down."""
    report = health_report()
    return JsonResponse(report, status=200 if report["status"] != "down" else 503)
