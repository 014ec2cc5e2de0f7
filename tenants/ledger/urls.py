"""Ledger URLs of a prefecture host, included at /ledger/ by liaison.platform.urls_tenant."""
from django.urls import path, re_path

from . import views

app_name = "ledger"
urlpatterns = [
    re_path(r"^templates/(?P<kind>[a-z_]+)\.(?P<fmt>csv|xlsx)$", views.template, name="template"),
    path("exports/<uuid:job_id>/download", views.download_export, name="export-download"),
    path("uploads", views.upload, name="upload"),
]
