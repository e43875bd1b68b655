"""F6 terms: a real stop list, phrases, rising terms tested against their own history, reasons kept apart."""

from __future__ import annotations

from fuwu.feedback.text import trends


def test_fragments_and_fillers_are_not_terms() -> None:
    terms = trends.phrases("希望两个小时内能办完，排队时间低于下文说的，窗口太少")
    for fragment in ("希望", "两个", "低于", "下文", "小时"):
        assert fragment not in terms
    assert "排队" in terms and "窗口" in terms
    assert "排队时间" in terms  # adjacent content words become one phrase


def test_a_term_that_rose_against_its_own_history_is_flagged() -> None:
    history = [["排队", "态度"]] * 20 + [["手续费"]] * 5 + [["停车"]] * 75
    current = [["手续费", "年费"]] * 12 + [["排队"]] * 4 + [["停车"]] * 14
    rising = {r.term: r for r in trends.rising_terms(current, history)}
    assert "手续费" in rising and rising["手续费"].q_value < 0.01
    assert rising["手续费"].current == 12 and rising["手续费"].history == 5
    assert "排队" not in rising  # 4/30 now vs 20/100 before: not up
    assert "停车" not in rising


def test_a_common_term_that_did_not_rise_is_not_flagged_even_if_frequent() -> None:
    history = [["排队"]] * 50 + [["其他"]] * 50
    current = [["排队"]] * 52 + [["其他"]] * 48
    assert trends.rising_terms(current, history) == []


def test_small_noise_is_not_significant() -> None:
    history = [["年费"]] * 1 + [["x"]] * 99
    current = [["年费"]] * 3 + [["x"]] * 97
    assert trends.rising_terms(current, history) == []


def test_reason_tags_are_counted_apart_and_drill_down_finds_the_messages() -> None:
    assert trends.reason_counts([["等候时间长", "态度"], ["等候时间长"]]) == [("等候时间长", 2), ("态度", 1)]
    texts = [(1, "排队时间太长"), (2, "柜员态度好"), (3, "又是排队")]
    assert trends.mentions(texts, "排队") == [1, 3]
