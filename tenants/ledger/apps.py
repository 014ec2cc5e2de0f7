from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.tenants.ledger"
    label = "ledger"
    verbose_name = "台账导入导出"
    default_auto_field = "django.db.models.BigAutoField"
