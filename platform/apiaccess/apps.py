from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "liaison.platform.apiaccess"
    label = "apiaccess"
    verbose_name = _("API 接入")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from liaison.platform.apiaccess import cors  # noqa: F401  (connects the CORS origin check)
