from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "liaison.tenants.practice"
    label = "practice"
    verbose_name = _("履职实践")
    default_auto_field = "django.db.models.BigAutoField"
