"""`fuwu export facts --out DIR [--from DATE] [--to DATE]`: the raw facts as Parquet for DuckDB or Spark."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fuwu.measures import facts


def export_facts(out: Path, start: dt.date, end: dt.date) -> str:
    """One Parquet file per fact table (schema `facts.SCHEMAS`) for business dates start..end."""
    written = facts.export_parquet(out, start, end)
    return ", ".join(f"{name}: {n} rows" for name, n in written.items()) + f" → {out}"


EXPORTERS = {"facts": export_facts}
