from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.platform.accounts"
    label = "accounts"
    verbose_name = "账户与权限"
    default_auto_field = "django.db.models.BigAutoField"
