"""Host routing: the province host serves `public`, `<slug>.<base host>` a prefecture."""
from __future__ import annotations

from django.conf import settings
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name


class ProvinceTenant:
    """Stand-in tenant for the province host (the public schema has no Prefecture row)."""

    schema_name = get_public_schema_name()
    pk = None
    id = None
    slug = None
    name = "云南省"
    name_en = "Yunnan"
    is_province = True
    domain_url = None

    def __str__(self) -> str:
        return self.schema_name


class ProvinceTenantMiddleware(TenantMainMiddleware):
    """django-tenants' middleware, plus the province host mapped to the public schema.

    Unknown hosts are a 404, never the public schema: serving province data on a
    mistyped prefecture host would be a leak.
    """

    def get_tenant(self, domain_model, hostname):
        if hostname in province_hosts():
            return ProvinceTenant()
        return super().get_tenant(domain_model, hostname)


def province_hosts() -> set[str]:
    hosts = {settings.LIAISON_BASE_HOST}
    if settings.DEBUG:
        hosts |= {"127.0.0.1", "testserver"}
    return hosts


def is_province(request) -> bool:
    return getattr(getattr(request, "tenant", None), "schema_name", None) == get_public_schema_name()
