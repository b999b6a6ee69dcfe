from django.contrib import admin
from django.urls import path

from bots import views as sms_views
from config import views
from leads import views as lead_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("dashboard/", lead_views.dashboard, name="dashboard"),
    path("healthz", views.health, name="health"),
    path("sms/inbound", sms_views.sms_inbound, name="sms-inbound"),
    path("sms/status", sms_views.sms_status, name="sms-status"),
]
