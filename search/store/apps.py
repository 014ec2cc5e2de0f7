from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.search.store"
    label = "searchstore"
    verbose_name = "搜索索引"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from liaison.search import indexing, tasks  # noqa: F401  (registers the Celery tasks)

        indexing.connect()
