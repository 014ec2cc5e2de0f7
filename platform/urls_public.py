"""URLs of the province host (public schema)."""
from django.contrib import admin
from django.urls import include, path

from liaison.graphql.core.views import graphql_view
from liaison.platform.ops.health import healthz, readyz

urlpatterns = [
    path("healthz", healthz),
    path("readyz", readyz),
    path("graphql/", graphql_view(), name="graphql"),
    path("admin/", admin.site.urls),
    path("dashboard/", include("liaison.platform.rollups.urls")),
]
