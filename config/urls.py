from django.contrib import admin
from django.urls import path

from agents import views as agent_views
from config import views
from sms import views as sms_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("dashboard/", agent_views.dashboard, name="dashboard"),
    path("healthz", views.health, name="health"),
    path("sms/inbound", sms_views.sms_inbound, name="sms-inbound"),
    path("sms/status", sms_views.sms_status, name="sms-status"),
]
