from django.urls import path

from . import public_views

urlpatterns = [
    path("audits/", public_views.audit_list, name="public-audits"),
    path("audits/<int:pk>/", public_views.audit_page, name="public-audit"),
]
