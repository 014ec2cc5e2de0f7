from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.tenants.activities"
    label = "activities"
    verbose_name = "活动"
    default_auto_field = "django.db.models.BigAutoField"
