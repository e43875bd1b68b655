"""The shipped classifier artifact loads, ranks every code, and still reaches its measured accuracy."""

from __future__ import annotations

from fuwu.complaints import classifier
from fuwu.complaints.codes import seed_leaves
from fuwu.complaints.ml import evaluate


def test_every_seeded_code_is_a_class_of_the_model() -> None:
    models = classifier.models()
    # The model's classes are seed keys; the code in force for each is read from the table (codes.current_codes).
    for dim in ("channel", "category", "reason"):
        assert set(models[dim].classes_) == seed_leaves(dim)
    assert set(models["severity"].classes_) == {"normal", "complex", "major"}


def test_suggest_gives_three_per_dimension_in_order() -> None:
    got = classifier.suggest("在ATM机上取钱，卡被吞了，打客服电话也没人管", top=3)
    assert [s.dimension for s in got] == ["channel"] * 3 + ["category"] * 3 + ["reason"] * 3 + [
        "severity"
    ] * 3
    channel = [s for s in got if s.dimension == "channel"]
    assert channel[0].probability >= channel[1].probability >= channel[2].probability
    assert classifier.suggest("   ") == []


def test_held_out_accuracy_does_not_regress_below_the_reported_figures() -> None:
    # Reported in the note (python -m fuwu.complaints.ml.evaluate): 61.8/85.3, 77.9/92.6, 63.2/85.3, 80.9/100.
    result = evaluate.accuracy(evaluate.load_held_out())
    floors = {
        "channel": (0.6, 0.85),
        "category": (0.77, 0.92),
        "reason": (0.63, 0.85),
        "severity": (0.8, 1.0),
    }
    for dim, (top1, top3) in floors.items():
        assert result[dim][0] >= top1 and result[dim][1] >= top3, (dim, result[dim])
