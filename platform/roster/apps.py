from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.platform.roster"
    label = "roster"
    verbose_name = "全省代表名册与标准模板"
    default_auto_field = "django.db.models.BigAutoField"
