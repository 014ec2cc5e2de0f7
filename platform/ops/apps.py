from django.apps import AppConfig


class Config(AppConfig):
    """Operations: tracing set-up (health, metrics and logging need no app)."""

    name = "liaison.platform.ops"
    label = "ops"
    verbose_name = "运维"

    def ready(self):
        import sys

        from .tracing import init_tracing

        if "pytest" not in sys.modules:  # tests install an in-memory exporter themselves
            init_tracing()
