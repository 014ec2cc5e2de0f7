from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.tenants.positions"
    label = "positions"
    verbose_name = "代表活动阵地"
    default_auto_field = "django.db.models.BigAutoField"
