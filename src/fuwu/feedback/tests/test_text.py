"""F6: segmentation with the banking dictionary, topics, sentiment measured on the hand-labelled set, trends."""

from __future__ import annotations

import datetime as dt

import pytest

from fuwu.core.errors import Forbidden, NotFound
from fuwu.core.principals import SYSTEM
from fuwu.feedback import selectors, services
from fuwu.feedback.text import analysis
from fuwu.feedback.text.evaluate import measure
from fuwu.feedback.text.train import DATA, load


def test_banking_words_stay_whole():
    words = analysis.segment("大堂经理让我去智能柜台办挂失，手续费还要另收")
    assert {"大堂经理", "智能柜台", "挂失", "手续费"} <= set(words)


def test_topics_are_assigned():
    assert analysis.topics("排队等了一个小时，柜员态度也很冷淡") == ["wait", "attitude"]
    assert "fees" in analysis.topics("乱扣年费")
    assert analysis.topics("谢谢") == []


def test_sentiment_on_held_out_set_meets_floor():
    result = measure(DATA / "eval.tsv")
    # Measured 2026-12-05 (neutral threshold 0.70, chosen for real feedback's neutral majority): macro-F1 0.765
    # on the 90 comments as they are (a third neutral), 0.799 with them weighted to 80 % neutral, accuracy 0.905
    # then. Hand-written, so a smoke test; the floors catch regressions.
    assert result["macro_f1"] >= 0.74
    assert result["majority_macro_f1"] >= 0.77 and result["majority_accuracy"] >= 0.88


def test_sentiment_on_held_out_product_comments_meets_floor():
    # Bank product comments (mostly neutral statements and questions), written after the training ones:
    # macro-F1 0.888, accuracy 0.917 measured 2026-12-05; a smoke test like the one above.
    result = measure(DATA / "eval_products.tsv")
    assert result["macro_f1"] >= 0.85 and result["accuracy"] >= 0.88


def test_evaluation_set_shares_no_comment_with_training_set():
    train, _ = load(DATA / "train.tsv")
    held, _ = load(DATA / "eval.tsv")
    products, _ = load(DATA / "eval_products.tsv")
    assert not set(train) & (set(held) | set(products))


@pytest.mark.django_db
def test_trending_terms_per_outlet_and_period(world, frozen_clock):
    for text in ["排队时间太长，窗口太少", "排队一个小时，手续费还贵", "柜员很耐心，讲解清楚"]:
        services.feedback_submit(actor=SYSTEM, outlet=world.outlet_a, text=text, client=text)
    services.feedback_submit(
        actor=SYSTEM, outlet=world.outlet_b, text="停车位太少，找不到地方停车", client="b"
    )
    today = frozen_clock.today()
    terms = dict(
        selectors.trending_terms(fetched_by=world.hq_manager, unit=world.outlet_a, start=today, end=today)
    )
    assert terms["排队"] == 2 and "停车位" not in terms
    negative = dict(
        selectors.trending_terms(
            fetched_by=world.hq_manager, unit=world.outlet_a, start=today, end=today, negative_only=True
        )
    )
    assert "耐心" not in negative
    yesterday = today - dt.timedelta(days=1)
    assert (
        selectors.trending_terms(
            fetched_by=world.hq_manager, unit=world.outlet_a, start=yesterday, end=yesterday
        )
        == []
    )
    with pytest.raises(NotFound):  # outside the teller's outlet: not found, not an empty list
        selectors.trending_terms(fetched_by=world.teller_b, unit=world.ho, start=today, end=today)
    with pytest.raises(Forbidden):  # a teller reads no outlet's feedback
        selectors.trending_terms(fetched_by=world.teller_a, unit=world.outlet_a, start=today, end=today)


@pytest.mark.django_db
def test_trending_terms_api(client, world, frozen_clock):
    services.feedback_submit(actor=SYSTEM, outlet=world.outlet_a, text="手续费太贵，排队也久", client="x")
    client.force_login(world.head_a)
    today = frozen_clock.today()
    rows = client.get(f"/api/v1/feedback/trending-terms?unit=OA&start={today}&end={today}").json()
    assert {"term": "手续费", "count": 1} in rows
    assert client.get(f"/api/v1/feedback/trending-terms?unit=OX&start={today}&end={today}").status_code == 404


def test_lexicon_feature_flips_under_negation():
    assert "lex:pos" in analysis.features("柜员很耐心")
    negated = analysis.features("柜员不耐心")
    assert "lex:neg" in negated and "lex:pos" not in negated


@pytest.mark.django_db
def test_topic_and_sentiment_counts_cover_visible_outlets_and_the_days_asked(world, frozen_clock):
    """F6: the insights page's topic/sentiment counts, scoped like the trending terms and on bank days."""
    services.feedback_submit(
        actor=SYSTEM, outlet=world.outlet_a, text="排队等了一个小时，柜员态度也很冷淡", client="x"
    )
    today = frozen_clock.today()
    topics, sentiments = selectors.topic_and_sentiment_counts(
        fetched_by=world.head_a, unit=world.outlet_a, start=today, end=today
    )
    assert topics == {"wait": 1, "attitude": 1} and sum(sentiments.values()) == 1
    with pytest.raises(NotFound):
        selectors.topic_and_sentiment_counts(fetched_by=world.teller_b, unit=world.ho, start=today, end=today)
    tomorrow = today + dt.timedelta(days=1)
    assert selectors.topic_and_sentiment_counts(
        fetched_by=world.head_a, unit=world.outlet_a, start=tomorrow, end=tomorrow
    ) == ({}, {})
