from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from agents import dashboard as panels
from team import selectors as team_selectors
from team.claim_links import InvalidClaimLink, read_claim_token
from team.services import claim_lead as claim


@staff_member_required
def dashboard(request):
    days = panels.window_days(request.GET.get("days"))
    context = {
        **admin.site.each_context(request),
        "title": "Dashboard",
        "cache": panels.cache_panel(days),
        "leads": panels.lead_panel(days),
        "agents": panels.agent_panel(days),
        "windows": panels.WINDOWS_DAYS,
    }
    return render(request, "dashboard/index.html", context)


@login_required(login_url="admin:login")
@require_http_methods(["GET", "POST"])
def claim_lead(request, token: str):
    """A claim link from an offer's text or e-mail. GET only shows the lead and a button (link previewers and
    mail scanners open links; they must not claim); the POST claims."""
    context = {**admin.site.each_context(request), "title": "Claim a lead"}
    try:
        ticket = read_claim_token(token)
    except InvalidClaimLink as exc:
        return render(request, "team/claim.html", {**context, "problem": str(exc)}, status=400)
    context["assignment"] = team_selectors.lead_assignment_of(ticket.contact_id)
    if context["assignment"] is None:
        return render(request, "team/claim.html", {**context, "problem": "This lead no longer exists."}, status=404)
    # Said before the button, not only after a POST: a forwarded link cannot claim for whoever opens it.
    context["someone_elses_link"] = ticket.agent_id != request.user.pk
    if request.method == "POST":
        outcome = claim(ticket=ticket, user=request.user)
        return render(request, "team/claim.html", {**context, "outcome": outcome}, status=200 if outcome.won else 409)
    return render(request, "team/claim.html", context)
