from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.platform.rollups"
    label = "rollups"
    verbose_name = "全省统计汇总"
    default_auto_field = "django.db.models.BigAutoField"
