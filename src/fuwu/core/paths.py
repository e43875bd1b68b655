"""Where the checkout, data and front-end assets live; importable before Django is configured."""

from __future__ import annotations

import os
from pathlib import Path


def repo_dir() -> Path:
    """The checkout root when running from source, else the current directory."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").exists() and (parent / "src" / "fuwu").is_dir():
            return parent
    return Path.cwd()


def node_modules_dir() -> Path:
    return Path(os.environ.get("FUWU_NODE_MODULES", repo_dir() / "node_modules"))


def data_dir() -> Path:
    """FUWU_DATA_DIR, else var/ in the checkout: the database, keys, models and the server's socket."""
    return Path(os.environ.get("FUWU_DATA_DIR", repo_dir() / "var")).resolve()
