"""Web-lead intake: thin. Signature first (403, nothing stored), then the body (400, a JSON error), then the service."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bots.intake import MalformedLead, receive_web_lead, signature_valid

# A lead is a form's worth of fields; anything far larger is not one.
MAX_BODY_BYTES = 64 * 1024


@csrf_exempt
@require_POST
def lead_intake(request):
    # CSRF does not apply: the HMAC signature over the raw body is the proof of origin.
    if not signature_valid(request.body, request.headers.get("X-Lead-Signature", "")):
        return JsonResponse({"error": "missing or wrong X-Lead-Signature"}, status=403)
    if len(request.body) > MAX_BODY_BYTES:
        return JsonResponse({"error": f"the body is larger than {MAX_BODY_BYTES} bytes"}, status=400)
    try:
        intake = receive_web_lead(request.body)
    except MalformedLead as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse({"contact_id": intake.contact.pk, "merged": not intake.created,
                         "first_text": "queued" if intake.first_text else f"not sent: {intake.why_not_texted}"},
                        status=201)
