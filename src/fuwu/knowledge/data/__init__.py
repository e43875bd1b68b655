"""Data shipped with the knowledge app: the hand-written demo FAQ and the starting phrase dictionary."""

from __future__ import annotations

from pathlib import Path

FAQ_DEMO = Path(__file__).resolve().parent / "faq_demo.csv"
