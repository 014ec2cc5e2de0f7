from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.tenants.notifications"
    label = "notifications"
    verbose_name = "通知"
    default_auto_field = "django.db.models.BigAutoField"
