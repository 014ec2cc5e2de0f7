from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "liaison.tenants.workbench"
    label = "workbench"
    verbose_name = "工作台"
