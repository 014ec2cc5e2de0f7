"""URLs of a prefecture host (its own schema)."""
from django.contrib import admin
from django.urls import include, path

from liaison.graphql.views import graphql_view
from liaison.platform.ops.health import healthz, readyz

urlpatterns = [
    path("healthz", healthz),
    path("readyz", readyz),
    path("graphql/", graphql_view(), name="graphql"),
    path("admin/", admin.site.urls),
    path("dashboard/", include("liaison.platform.rollups.urls")),
    path("ledger/", include("liaison.tenants.ledger.urls")),
]
