from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import render

from agents import dashboard as panels


@staff_member_required
def dashboard(request):
    days = panels.window_days(request.GET.get("days"))
    context = {
        **admin.site.each_context(request),
        "title": "Dashboard",
        "cache": panels.cache_panel(days),
        "leads": panels.lead_panel(days),
        "windows": panels.WINDOWS_DAYS,
    }
    return render(request, "dashboard/index.html", context)
