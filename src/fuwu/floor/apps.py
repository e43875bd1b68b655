from __future__ import annotations

from django.apps import AppConfig


class FloorConfig(AppConfig):
    name = "fuwu.floor"
    label = "floor"
