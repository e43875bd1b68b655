"""F4: survey import from CSV and Excel (every bad row reported, nothing imported on error), NPS/CSAT, targets."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from openpyxl import Workbook

from fuwu.core.errors import ValidationFailed
from fuwu.feedback import importers, selectors, services
from fuwu.feedback.models import FollowUp, SurveyBatch, SurveyResponse

pytestmark = pytest.mark.django_db

HEADER = "response_id,outlet_code,date,nps,service_csat,overall_csat,comment\n"


def write(tmp_path: Path, body: str, name: str = "survey.csv", header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return path


GOOD = (
    "R1,OA,2026-02-20,10,5,5,服务很好\n"
    "R2,OA,2026-02-21,9,4,5,\n"
    "R3,OA,2026-02-22,7,4,4,一般\n"
    "R4,OB,2026-02-23,3,2,3,排队太久了\n"
)


def test_good_csv_imports_and_figures_follow_definitions(
    world: Any, frozen_clock: Any, tmp_path: Path
) -> None:
    summary = importers.survey_import_file(
        write(tmp_path, GOOD), actor=world.hq_manager, org_unit=world.ho, file_name="survey.csv"
    )
    assert summary == "已导入 4 条调查答卷"
    figures = selectors.survey_figures(
        fetched_by=world.hq_manager, unit=world.t2, start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28)
    )
    assert figures.responses == 4
    assert figures.nps == (2 - 1) / 4 * 100  # promoters R1,R2; detractor R4
    assert figures.service_csat == 3 / 4 * 100
    assert figures.overall_csat == 3 / 4 * 100
    # the detractor opens a follow-up at its outlet
    detractor = FollowUp.objects.get().survey_response
    assert detractor is not None and detractor.external_id == "R4"


def test_bad_file_reports_every_bad_row_and_imports_nothing(
    world: Any, frozen_clock: Any, tmp_path: Path
) -> None:
    body = (
        "R1,OA,2026-02-20,10,5,5,ok\n"
        "R2,OA,2026-02-30,9,4,5,bad date\n"
        "R1,OA,2026-02-21,9,4,5,duplicate id\n"
        "R4,ZZ,2026-02-21,11,0,5,bad outlet and scores\n"
        "R5,OB,2027-01-01,5,3,3,future\n"
        "R6,OB,2026-02-21,,,,no score\n"
    )
    with pytest.raises(ValidationFailed) as caught:
        importers.survey_import_file(
            write(tmp_path, body), actor=world.hq_manager, org_unit=world.ho, file_name="x"
        )
    found = {(d["row"], d["field"]) for d in caught.value.details}
    assert found == {
        (3, "date"),
        (4, "response_id"),
        (5, "outlet_code"),
        (5, "nps"),
        (5, "service_csat"),
        (6, "date"),
        (7, "nps"),
    }
    assert not SurveyResponse.objects.exists() and not SurveyBatch.objects.exists()


def test_wrong_columns_are_reported(world: Any, frozen_clock: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "R1,OA,2026-02-20,10\n", header="id,branch,when,score\n")
    with pytest.raises(ValidationFailed) as caught:
        importers.survey_import_file(path, actor=world.hq_manager, org_unit=world.ho, file_name="x")
    details = caught.value.details
    assert {d["field"] for d in details if d["reason"] == "缺少该列"} == {
        "response_id",
        "outlet_code",
        "date",
    }
    assert {d["field"] for d in details if d["reason"] == "无法识别的列"} == {
        "id",
        "branch",
        "when",
        "score",
    }


def test_reimporting_the_same_rows_is_refused(world: Any, frozen_clock: Any, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    importers.survey_import_file(path, actor=world.hq_manager, org_unit=world.ho, file_name="a")
    with pytest.raises(ValidationFailed) as caught:
        importers.survey_import_file(path, actor=world.hq_manager, org_unit=world.ho, file_name="a")
    assert [d["reason"] for d in caught.value.details] == ["已导入过"] * 4
    assert SurveyResponse.objects.count() == 4


def test_excel_with_chinese_headers_and_real_dates(world: Any, frozen_clock: Any, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["问卷编号", "网点代码", "日期", "推荐意愿", "服务满意度", "总体满意度", "意见"])
    sheet.append(["X1", "OA", dt.datetime(2026, 2, 10), 10, 5, 5, "很满意"])
    sheet.append(["X2", "OA", "2026/02/11", 6, 3, 4, "手续繁琐"])
    path = tmp_path / "survey.xlsx"
    book.save(path)
    importers.survey_import_file(path, actor=world.hq_manager, org_unit=world.ho, file_name="survey.xlsx")
    assert sorted(SurveyResponse.objects.values_list("external_id", "nps")) == [("X1", 10), ("X2", 6)]


def test_outlet_head_cannot_import_rows_of_another_outlet(
    world: Any, frozen_clock: Any, tmp_path: Path
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        importers.survey_import_file(
            write(tmp_path, GOOD), actor=world.head_a, org_unit=world.outlet_a, file_name="x"
        )
    assert {d["row"] for d in caught.value.details} == {5}


def test_targets_from_seed_and_progress(world: Any, frozen_clock: Any, tmp_path: Path) -> None:
    services.survey_target_set(
        actor=world.hq_manager, org_unit=world.ho, measure="service_csat", target=Decimal(90)
    )
    services.survey_target_set(
        actor=world.hq_manager, org_unit=world.ho, measure="overall_csat", target=Decimal(92)
    )
    services.survey_target_set(
        actor=world.hq_manager, org_unit=world.outlet_a, measure="service_csat", target=Decimal("95.0")
    )
    importers.survey_import_file(
        write(tmp_path, GOOD), actor=world.hq_manager, org_unit=world.ho, file_name="s"
    )
    progress = {
        p.measure: p
        for p in selectors.target_progress(
            fetched_by=world.hq_manager,
            unit=world.outlet_a,
            figures=selectors.survey_figures(
                fetched_by=world.hq_manager,
                unit=world.outlet_a,
                start=dt.date(2026, 2, 1),
                end=dt.date(2026, 2, 28),
            ),
        )
    }
    assert progress["service_csat"].target == 95.0 and progress["service_csat"].set_at == world.outlet_a
    assert progress["service_csat"].actual == 100.0 and progress["service_csat"].met
    assert progress["overall_csat"].target == 92.0 and progress["overall_csat"].set_at == world.ho
    with pytest.raises(ValidationFailed):
        services.survey_target_set(
            actor=world.hq_manager, org_unit=world.ho, measure="csat", target=Decimal(90)
        )


def test_upload_page_shows_row_errors(client: Any, world: Any, frozen_clock: Any, tmp_path: Path) -> None:
    client.force_login(world.hq_manager)
    path = write(tmp_path, "R1,OA,not-a-date,10,5,5,\n")
    with path.open("rb") as handle:
        response = client.post("/feedback/surveys/", {"unit": "HO", "file": handle})
    assert response.status_code == 422
    assert "不是过去的日期" in response.content.decode()
    with write(tmp_path, GOOD, "good.csv").open("rb") as handle:
        ok = client.post("/feedback/surveys/", {"unit": "HO", "file": handle})
    assert ok.status_code == 200 and "已导入 4 条调查答卷" in ok.content.decode()
    client.force_login(world.teller_b)
    assert client.get("/feedback/surveys/").status_code == 403


def test_survey_figures_api_is_scoped(client: Any, world: Any, frozen_clock: Any, tmp_path: Path) -> None:
    importers.survey_import_file(
        write(tmp_path, GOOD), actor=world.hq_manager, org_unit=world.ho, file_name="s"
    )
    services.survey_target_set(
        actor=world.hq_manager, org_unit=world.ho, measure="service_csat", target=Decimal(90)
    )
    client.force_login(world.head_a)
    body = client.get("/api/v1/feedback/survey-figures?unit=OA&start=2026-02-01&end=2026-02-28").json()
    assert body == {
        "unit": "OA",
        "responses": 3,
        "nps": pytest.approx(200 / 3),
        "service_csat": 100.0,
        "overall_csat": 100.0,
        "targets": {"service_csat": 90.0},
    }
    assert (
        client.get("/api/v1/feedback/survey-figures?unit=OB&start=2026-02-01&end=2026-02-28").status_code
        == 404
    )


def test_cli_import_survey(world: Any, frozen_clock: Any, tmp_path: Path) -> None:
    from django.core.management import call_command

    out = io.StringIO()
    call_command("import", "survey", str(write(tmp_path, GOOD)), stdout=out)
    assert "已导入 4 条调查答卷" in out.getvalue()
    assert SurveyBatch.objects.get().org_unit == world.ho


def test_gbk_csv_with_chinese_headers_imports(world: Any, frozen_clock: Any, tmp_path: Path) -> None:
    """#18, F4: a vendor's CSV saved by Excel in China (GBK, Chinese headers) imports with its comments intact."""
    path = tmp_path / "survey.csv"
    path.write_bytes(("问卷编号,网点代码,日期,推荐意愿,服务满意度,总体满意度,意见\n" + GOOD).encode("gbk"))
    summary = importers.survey_import_file(path, actor=world.hq_manager, org_unit=world.ho, file_name="s.csv")
    assert "4" in summary
    assert SurveyResponse.objects.get(external_id="R4").comment == "排队太久了"


def test_bad_row_after_a_blank_line_commits_nothing_and_names_its_true_line_in_chinese(
    world: Any, frozen_clock: Any, tmp_path: Path
) -> None:
    """#18, F4: one bad row refuses the file; the Chinese message names the file's own line."""
    path = write(tmp_path, GOOD + "\n" + "R9,OA,2026-02-24,12,5,5,\n")
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as caught:
        importers.survey_import_file(path, actor=world.hq_manager, org_unit=world.ho, file_name="x")
    assert "调查文件有 1 处问题，首处在第 7 行" in caught.value.message
    assert [(d["row"], d["field"]) for d in caught.value.details] == [(7, "nps")]
    assert not SurveyResponse.objects.exists() and not SurveyBatch.objects.exists()
