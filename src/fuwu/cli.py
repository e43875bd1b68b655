"""`fuwu <command>`: the project's management commands under one name (hyphens allowed)."""

from __future__ import annotations

import os
import sys

FUWU_COMMANDS = {
    "serve": "Serve the web app and API (gunicorn).",
    "worker": "Run background tasks and the periodic sweep scheduler.",
    "demo": "Build the synthetic demo bank (deterministic from a seed).",
    "createuser": "Create a staff member with an org unit and roles.",
    "device-token": "Issue, list or revoke bearer tokens for kiosks, counters, pads and importers.",
    "import": "Import data files (see `fuwu import --help` for the kinds).",
    "calendar": "Seed or show the business calendar.",
    "outlets": "List outlets with their counters and business types (--json).",
    "simulate-day": "Run a simulated business day at an outlet through the real services.",
    "measures": "Print measures for a level and period (the figures the dashboards show).",
    "briefing": "Write the quarterly service briefing as PDF and Excel: --quarter 2026-Q3 [--unit CODE] [--all] --out DIR.",
    "export": "Export data for other tools: `fuwu export facts --out DIR` (Parquet for DuckDB or Spark).",
    "export-facts": "The earlier name of `fuwu export facts`.",
}


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuwu.settings")
    if not args or args[0] in {"-h", "--help", "help"}:
        print("usage: fuwu <command> [options]   (every command takes --help)\n")
        for name, text in FUWU_COMMANDS.items():
            print(f"  {name:<14}{text}")
        print("\nAll Django management commands work too (migrate, check, shell, …).")
        return
    args[0] = args[0].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["fuwu", *args])


if __name__ == "__main__":
    main()
