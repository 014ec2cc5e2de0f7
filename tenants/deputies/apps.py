from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.tenants.deputies"
    label = "deputies"
    verbose_name = "人大代表"
    default_auto_field = "django.db.models.BigAutoField"
