from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fuwu.core"
    label = "core"
    verbose_name = "平台"

    def ready(self) -> None:
        from fuwu.core import clock, history, logins, roles

        roles.connect_post_migrate()
        history.connect()
        logins.connect()
        clock.configure_from_settings()
