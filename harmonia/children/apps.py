from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildrenConfig(AppConfig):
    name = "harmonia.children"
    label = "children"
    verbose_name = _("Children and families")

    def ready(self) -> None:
        from harmonia.children import rules

        rules.register_rules()

        from harmonia.children import privacy

        privacy.register_children()
