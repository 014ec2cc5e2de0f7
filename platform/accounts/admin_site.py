"""The admin site: open only to prefecture administrators (on their own prefecture's
host) and province roles, decided by the Principal (`may_use_admin`), not by Django's
`is_staff` flag. Station staff and deputies log in to the workbench instead.

Installed as the default site by `admin_apps.LiaisonAdminConfig` (INSTALLED_APPS names it
instead of "django.contrib.admin"), so every `admin.register` lands here.
"""
from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.db import connection
from django.utils.translation import gettext_lazy as _

from .principal import principal_for, principal_for_user


def may_use_admin(request, user=None) -> bool:
    principal = principal_for_user(user) if user is not None else principal_for(request)
    return principal.may_use_admin(connection.schema_name)


class LiaisonAdminAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确。"),
        "no_admin": _("此账号不能使用管理后台：管理后台只对州市管理员和省级用户开放；站点工作人员和代表请登录工作台。"),
    }

    def confirm_login_allowed(self, user):
        # Not is_staff (Django's default) but the role this host needs.
        if not user.is_active:
            raise forms.ValidationError(self.error_messages["inactive"], code="inactive")
        if not may_use_admin(self.request, user):
            raise forms.ValidationError(self.error_messages["no_admin"], code="no_admin")


class LiaisonAdminSite(admin.AdminSite):
    login_form = LiaisonAdminAuthenticationForm

    def has_permission(self, request):
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_active and user.is_authenticated and may_use_admin(request))
