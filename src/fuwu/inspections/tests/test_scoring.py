"""Scoring on hand-computed cases and as properties (0–100, monotone in passed items)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from fuwu.inspections.scoring import CRITICAL_CAP, Answer, band_for, score


def test_weights_decide_the_score() -> None:
    # 3 of weight 2 pass, 1 of weight 4 fails: 6 / 10 = 60.00
    answers = [Answer(2, "pass"), Answer(2, "pass"), Answer(2, "pass"), Answer(4, "fail")]
    assert score(answers).value == Decimal("60.00")
    assert score(answers).band == "pass"


def test_not_applicable_items_leave_the_denominator() -> None:
    # without N/A: 2 / (2 + 2) = 50; the N/A item of weight 6 does not count at all
    assert score([Answer(2, "pass"), Answer(2, "fail"), Answer(6, "na")]).value == Decimal("50.00")


def test_points_items_earn_their_fraction() -> None:
    # 3/5 of weight 1 and a pass of weight 1: (0.6 + 1) / 2 = 80
    result = score([Answer(1, "", points=3, max_points=5), Answer(1, "pass")])
    assert result.value == Decimal("80.00")
    assert result.band == "good"


def test_a_failed_critical_item_caps_the_score_in_the_failing_band() -> None:
    # 9 of weight 1 pass, a critical of weight 1 fails: 90 uncapped → capped at 59, 不合格
    answers = [Answer(1, "pass") for _ in range(9)] + [Answer(1, "fail", critical=True)]
    result = score(answers)
    assert result.value == CRITICAL_CAP and result.band == "fail" and result.critical_failed


def test_a_low_score_below_the_cap_is_not_raised_by_it() -> None:
    result = score([Answer(1, "pass"), Answer(3, "fail", critical=True)])
    assert result.value == Decimal("25.00")


def test_an_upheld_appeal_scores_the_item_as_passed() -> None:
    assert score([Answer(1, "pass"), Answer(1, "fail", critical=True, appeal_upheld=True)]).value == Decimal(
        "100.00"
    )


def test_nothing_applicable_gives_no_score() -> None:
    assert score([Answer(1, "na"), Answer(1, "")]).value is None


def test_bands() -> None:
    assert [band_for(Decimal(v)) for v in ("95", "90", "89.99", "80", "60", "59.99")] == [
        "excellent",
        "excellent",
        "good",
        "good",
        "pass",
        "fail",
    ]


answer = st.builds(
    Answer,
    weight=st.integers(0, 10),
    result=st.sampled_from(["pass", "fail", "na", ""]),
    critical=st.booleans(),
)


@given(st.lists(answer, max_size=30))
def test_score_is_always_between_0_and_100(answers: list[Answer]) -> None:
    value = score(answers).value
    assert value is None or Decimal(0) <= value <= Decimal(100)


@given(st.lists(answer, min_size=1, max_size=30), st.data())
def test_passing_a_failed_item_never_lowers_the_score(answers: list[Answer], data: st.DataObject) -> None:
    failed = [n for n, a in enumerate(answers) if a.result == "fail"]
    if not failed:
        return
    n = data.draw(st.sampled_from(failed))
    better = list(answers)
    better[n] = Answer(answers[n].weight, "pass", critical=answers[n].critical)
    before, after = score(answers).value, score(better).value
    assert (before is not None and after is not None) or answers[n].weight == 0
    if before is not None and after is not None:
        assert after >= before
