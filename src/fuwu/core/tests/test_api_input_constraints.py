"""#18: the OpenAPI schema states the inputs' constraints, so a request it calls valid is read and one it
calls invalid is refused; these are the gaps a wider fuzz run found, each held here directly."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fuwu.api import api
from fuwu.core.errors import ValidationFailed
from fuwu.feedback.selectors import GROUPS, PERIODS
from fuwu.measures.selectors import parse_period

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return api.get_openapi_schema(path_prefix="/api/v1/")


def _query_schema(spec: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    (param,) = [p for p in spec["paths"][f"/api/v1{path}"]["get"]["parameters"] if p["name"] == name]
    schema: dict[str, Any] = param["schema"]
    return schema


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_evaluation_table_lists_its_groupings_and_periods_and_reads_each(world: Any, spec: Any) -> None:
    """Any string passed the schema's `group` and `period`; the selector refused all but its own codes."""
    assert _query_schema(spec, "/feedback/evaluation-figures", "group")["enum"] == list(GROUPS)
    assert _query_schema(spec, "/feedback/evaluation-figures", "period")["enum"] == list(PERIODS)
    client = _client(world.hq_manager)
    for group, period in itertools.product(GROUPS, PERIODS):
        query = {"start": "2026-03-01", "end": "2026-03-31", "group": group, "period": period}
        assert client.get("/api/v1/feedback/evaluation-figures", query).status_code == 200, query


def _period_pattern(spec: dict[str, Any], path: str) -> re.Pattern[str]:
    (text,) = [s["pattern"] for s in _query_schema(spec, path, "period")["anyOf"] if "pattern" in s]
    return re.compile(text)


def _reads(text: str) -> bool:
    try:
        parse_period(text)
    except ValidationFailed:
        return False
    return True


@pytest.mark.parametrize("path", ["/measures/figures", "/measures/league", "/measures/products"])
def test_a_period_the_schema_allows_is_one_the_measures_read(path: str, spec: Any) -> None:
    """`period` was any string; now a pattern that allows only what `parse_period` reads (real dates)."""
    pattern = _period_pattern(spec, path)
    for year in (1900, 1999, 2000, 2024, 2026, 2099):
        for month, day in itertools.product(range(0, 14), range(0, 33)):
            text = f"{year}-{month:02d}-{day:02d}"
            try:
                dt.date(year, month, day)
                real = True
            except ValueError:
                real = False
            assert bool(pattern.search(text)) == real, text
            if real:
                assert _reads(text) and _reads(f"{text}..{year}-12-31"), text
        for month in range(0, 14):
            assert bool(pattern.search(f"{year}-{month:02d}")) == (1 <= month <= 12)
        for text in (str(year), f"{year}-Q1", f"{year}-q4", f" {year}-10 "):
            assert pattern.search(text) and _reads(text), text
    for text in ("", "2026-1", "2026-Q5", "1899", "2100-01", "٢٠٢٦", "2026..2027", "x2026"):
        assert not pattern.search(text), text


def test_a_period_outside_the_pattern_is_refused_and_one_inside_read(world: Any) -> None:
    client = _client(world.hq_manager)
    for path in ("/api/v1/measures/figures", "/api/v1/measures/league", "/api/v1/measures/products"):
        refused = client.get(path, {"period": "2026-02-30"})
        assert refused.status_code == 422 and refused.json()["error"]["details"][0]["field"] == "period"
        assert client.get(path, {"period": "2024-02-29"}).status_code == 200


@pytest.mark.parametrize(
    ("field", "value"),
    [("patience_seconds", True), ("aht_seconds", True), ("aht_seconds", "180"), ("target_level", False)],
)
def test_the_erlang_calculator_takes_numbers_only(world: Any, field: str, value: Any) -> None:
    """The schema says number; lax parsing read `true` as 1 and "180" as 180 (a 200 for a body it calls invalid)."""
    client = _client(world.head_a)
    body = {"traffic": [10.0, 0.0], "aht_seconds": 180, "patience_seconds": 60.0}
    assert client.post("/api/v1/staffing/erlang", body, content_type="application/json").status_code == 200
    refused = client.post(
        "/api/v1/staffing/erlang", json.dumps({**body, field: value}), content_type="application/json"
    )
    assert refused.status_code == 422 and refused.json()["error"]["details"][0]["field"] == field


def test_an_upload_is_declared_non_empty_and_an_empty_one_refused(world: Any, spec: Any) -> None:
    """Django drops an empty file, so the field is missing: the schema says a file has at least one byte."""
    from fuwu.inspections.tests.factories import setup

    uploads = [
        ("/inspections/{pk}/items/{item_id}/photos", "photo"),
        ("/inspections/templates/import", "file"),
    ]
    for path, field in uploads:
        body = spec["paths"][f"/api/v1{path}"]["post"]["requestBody"]["content"]["multipart/form-data"]
        assert body["schema"]["properties"][field]["minLength"] == 1
    setup(world)
    sup = _client(world.sup)
    created = sup.post(
        "/api/v1/inspections",
        {"outlet_code": "OA", "template_code": "SBZ", "kind": "onsite"},
        content_type="application/json",
    )
    pk = created.json()["id"]
    item = sup.get("/api/v1/inspections/templates/SBZ").json()["items"][0]["id"]
    empty = sup.post(
        f"/api/v1/inspections/{pk}/items/{item}/photos",
        {"photo": SimpleUploadedFile("p.jpg", b"", content_type="image/jpeg")},
    )
    assert empty.status_code == 422 and empty.json()["error"]["details"][0]["field"] == "photo"
