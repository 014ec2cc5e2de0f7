from django.apps import AppConfig


class Config(AppConfig):
    """Audit history pages (read-only admin of the pghistory event tables)."""

    name = "liaison.platform.audit"
    label = "audit"
    verbose_name = "变更记录"

    def ready(self):
        # pgtrigger gives makemigrations/migrate an autodetector that knows triggers;
        # django-tenants' `migrate` (migrate_schemas) declares Django's plain one, which
        # Django's check E001 rejects. Use pgtrigger's everywhere. Listed after pgtrigger.
        from django.core.management.commands import makemigrations
        from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand

        MigrateSchemasCommand.autodetector = makemigrations.Command.autodetector
