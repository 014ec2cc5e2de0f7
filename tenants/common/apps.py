from django.apps import AppConfig
from django.db.models.signals import pre_save


class Config(AppConfig):
    name = "liaison.tenants.common"
    label = "common"
    verbose_name = "通用"

    def ready(self) -> None:
        from .bounds import on_pre_save

        # Every model of ours, in every schema: see bounds.py for why the check lives here.
        def guard(sender, **kwargs):
            if sender.__module__.startswith("liaison."):
                on_pre_save(sender, **kwargs)

        pre_save.connect(guard, weak=False, dispatch_uid="liaison.bounds")
