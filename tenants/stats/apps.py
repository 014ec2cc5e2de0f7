from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.tenants.stats"
    label = "stats"
    verbose_name = "州市统计"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals

        signals.connect()
