"""Dashboard routes, included on the province host and on every prefecture host."""
from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.csv", views.export_csv, name="dashboard-export-csv"),
    path("export.xlsx", views.export_xlsx, name="dashboard-export-xlsx"),
]
