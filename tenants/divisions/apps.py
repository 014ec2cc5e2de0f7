from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.tenants.divisions"
    label = "divisions"
    verbose_name = "行政区划"
    default_auto_field = "django.db.models.BigAutoField"
