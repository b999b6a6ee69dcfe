from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from agents import views as agent_views
from bots import views as bot_views
from config import views
from sms import views as sms_views

urlpatterns = [
    # No public site: whoever opens the bare address is an agent (or an operator), sent to the admin's login.
    path("", RedirectView.as_view(pattern_name="admin:index"), name="home"),
    path("admin/", admin.site.urls),
    path("dashboard/", agent_views.dashboard, name="dashboard"),
    path("leads/claim/<str:token>/", agent_views.claim_lead, name="claim-lead"),
    path("healthz", views.health, name="health"),
    path("sms/inbound", sms_views.sms_inbound, name="sms-inbound"),
    path("sms/status", sms_views.sms_status, name="sms-status"),
    path("leads/intake", bot_views.lead_intake, name="lead-intake"),
]
