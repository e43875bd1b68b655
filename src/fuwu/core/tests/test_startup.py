"""Startup: importing the URLconf (every web worker, every CLI command) loads no heavy library.

ortools, ibis, scipy, pyarrow, jieba, scikit-learn and pandas are imported inside the functions that use
them; a top-level import in any module the URLconf reaches puts seconds on every worker start.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = ("ortools", "ibis", "scipy", "pyarrow", "jieba", "sklearn", "pandas", "matplotlib", "weasyprint")

_PROBE = """
import json, sys
import django
django.setup()
import fuwu.urls
from django.urls import get_resolver
get_resolver().url_patterns  # resolve every app's urls as the first request would
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def _modules_after(code: str) -> set[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fuwu.settings"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_importing_the_urlconf_loads_no_heavy_library() -> None:
    loaded = _modules_after(_PROBE)
    assert "fuwu" in loaded and "ninja" in loaded  # the probe really loaded the app
    assert not loaded & set(HEAVY), f"loaded at startup: {sorted(loaded & set(HEAVY))}"


def test_a_cli_command_loads_no_heavy_library() -> None:
    """`fuwu check` sets Django up and checks the URLconf, as every command's start does."""
    code = """
import json, sys
from fuwu import cli
cli.main(["check"])
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""
    loaded = _modules_after(code)
    assert "fuwu" in loaded
    assert not loaded & set(HEAVY), f"loaded by a CLI command: {sorted(loaded & set(HEAVY))}"
