from django.http import JsonResponse

from config.health import check_services


def health(request):
    """Liveness plus readiness of PostgreSQL and Redis, for load balancers and the compose health check."""
    problems = check_services()
    return JsonResponse({"ok": not problems, "problems": problems}, status=200 if not problems else 503)
