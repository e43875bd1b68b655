from __future__ import annotations

from typing import Any


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "spark: runs the Ibis definitions on a local PySpark session (slow)")
