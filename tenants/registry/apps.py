from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.tenants.registry"
    label = "registry"
    verbose_name = "州市（租户）"
    default_auto_field = "django.db.models.BigAutoField"
