from django.apps import AppConfig
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy


def _platform_name() -> str:
    return gettext("%(province)s人大代表活动阵地平台") % {"province": settings.LIAISON_PROVINCE_NAME}


platform_name = lazy(_platform_name, str)


class Config(AppConfig):
    name = "liaison.platform.province"
    label = "province"
    verbose_name = "全省基础数据"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The admin is the province's platform, not "Django 管理" (translated per request).
        from django.contrib import admin

        admin.site.site_header = platform_name()
        admin.site.site_title = platform_name()
        admin.site.index_title = gettext_lazy("平台管理")
