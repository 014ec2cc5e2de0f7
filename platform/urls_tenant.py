"""URLs of a prefecture host (its own schema)."""
from django.contrib import admin
from django.urls import include, path

from liaison.graphql.core.views import graphql_view
from liaison.platform.citizen import views as citizen_views
from liaison.platform.ops.health import healthz, readyz
from liaison.tenants.positions import public_views

urlpatterns = [
    path("healthz", healthz),
    path("readyz", readyz),
    path("graphql/", graphql_view(), name="graphql"),
    path("admin/", admin.site.urls),
    # public pages the QR codes point to (位置码 / 代表码)
    # the online position (网上代表活动阵地): read it and submit an opinion; track it at /t/
    path("p/<str:code>/", citizen_views.position_page, name="public-position"),
    path("t/", citizen_views.track_page, name="public-track"),
    path("p/<str:code>/qr.svg", public_views.position_qr, name="public-position-qr"),
    path("d/<str:roll_number>/", public_views.deputy_page, name="public-deputy"),
    path("d/<str:roll_number>/qr.svg", public_views.deputy_qr, name="public-deputy-qr"),
    path("dashboard/", include("liaison.platform.rollups.urls")),
    path("ledger/", include("liaison.tenants.ledger.urls")),
    path("gongshi/", include("liaison.tenants.practice.urls")),  # 公示: published audit results
    path("workbench/", include("liaison.tenants.workbench.urls")),
]
