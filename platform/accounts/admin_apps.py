"""django.contrib.admin with Liaison's admin site (admin_site.LiaisonAdminSite) as the
default site. A module of its own: app configs are imported before models exist."""
from django.contrib.admin.apps import AdminConfig


class LiaisonAdminConfig(AdminConfig):
    default_site = "liaison.platform.accounts.admin_site.LiaisonAdminSite"
