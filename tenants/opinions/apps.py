from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.tenants.opinions"
    label = "opinions"
    verbose_name = "群众意见建议"
    default_auto_field = "django.db.models.BigAutoField"
