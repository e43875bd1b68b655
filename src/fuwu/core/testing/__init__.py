"""Test support shared by every app's tests (imported only from tests)."""
