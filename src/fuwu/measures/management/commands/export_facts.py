"""`fuwu export-facts`: the earlier name of `fuwu export facts`, kept so existing scripts keep working."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from fuwu.core.management.commands import export


class Command(export.Command):
    """`fuwu export facts` itself with the kind fixed, so both names check and write exactly the same."""

    help = "Same as `fuwu export facts`: write the raw facts as Parquet for any engine."

    def add_arguments(self, parser: CommandParser) -> None:
        export.add_window_arguments(parser)

    def handle(self, *args: Any, **opts: Any) -> None:
        super().handle(*args, **{**opts, "kind": "facts"})
