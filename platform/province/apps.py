from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.platform.province"
    label = "province"
    verbose_name = "全省基础数据"
    default_auto_field = "django.db.models.BigAutoField"
