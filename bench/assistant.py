"""Assistant benchmark: top-1/top-3 on unseen paraphrases, calibration, p99 latency, retraining time.

    PYTHONPATH=src .venv/bin/python bench/assistant.py [--quick]

HONESTY NOTE. The accuracy figures here are a SMOKE TEST on a FAQ written by hand for this project
(src/fuwu/knowledge/data/faq_demo.csv: 32 answers × 17–18 questions), measured on three sets of further
hand-written paraphrases the model never trains on: bench/data/faq_smoke_test.csv (32, one per answer, written
first), bench/data/faq_heldout.csv (96, three per answer, written together with the demo FAQ's 6th–8th
questions per answer and split from them before any model change) and bench/data/faq_heldout2.csv (64, two per
answer, written and committed before the FAQ's 9th–18th questions per answer; a training question equal to a
held-out one after normalisation was dropped, never adapted). The same author wrote the questions, the test
sets and the bank synonym list (src/fuwu/knowledge/data/synonyms.py), having read the first test set and
written the third: the figures show that the pipeline works; they are not an accuracy on real customer
wording. The model's weights were chosen on held-out folds of the training questions only. The issue's goal
(≥ 90 % top-1, ≥ 97 % top-3 on a real bank FAQ of ≈ 940 answers / 16k questions) can only be checked on that
real set, kept outside the project.
The retraining time and the latency with 940 classes are measured on a SYNTHETIC 16k-question set of the
real set's shape (generated below), whose accuracy means nothing. Wall times depend on what else runs on the
machine; the CPU time of the retraining is printed beside its wall time.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuwu.settings")

FAQ = ROOT / "src" / "fuwu" / "knowledge" / "data" / "faq_demo.csv"
SMOKE = ROOT / "bench" / "data" / "faq_smoke_test.csv"
HELD_OUT = ROOT / "bench" / "data" / "faq_heldout.csv"
HELD_OUT2 = ROOT / "bench" / "data" / "faq_heldout2.csv"


def load_faq() -> tuple[list[str], list[int], dict[int, str], dict[str, int]]:
    texts, labels, std, by_answer = [], [], {}, {}
    with FAQ.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            label = by_answer.setdefault(row["answer"], len(by_answer))
            std.setdefault(label, row["question"])
            texts.append(row["question"])
            labels.append(label)
    return texts, labels, std, {q: k for k, q in std.items()}


def topk(model, queries: list[tuple[str, int]]) -> tuple[float, float, list[tuple[float, bool]]]:
    hits1 = hits3 = 0
    calib = []
    for text, gold in queries:
        ranked = model.ranked(text, k=3)
        ids = [c for c, _ in ranked]
        hits1 += ids[0] == gold
        hits3 += gold in ids
        calib.append((ranked[0][1], ids[0] == gold))
    return hits1 / len(queries), hits3 / len(queries), calib


def read_queries(path: Path, index: dict[str, int]) -> list[tuple[str, int]]:
    with path.open(encoding="utf-8") as handle:
        return [(r["question"], index[r["standard_question"]]) for r in csv.DictReader(handle)]


def print_reliability(pairs: list[tuple[float, bool]]) -> None:
    from fuwu.knowledge import engine

    print("    bin        n   mean conf  accuracy")
    for row in engine.reliability_table(pairs, bins=5):
        print(
            f"    {row['low']:.1f}-{row['high']:.1f}  {int(row['n']):4d}   {row['confidence']:.2f}       {row['accuracy']:.2f}"
        )


def smoke() -> None:
    from fuwu.knowledge import engine

    texts, labels, std, index = load_faq()
    model = engine.train(texts, labels)
    print(f"SMOKE TEST (hand-written, {len(std)} answers, {len(texts)} training questions)")
    test_calib: list[tuple[float, bool]] = []
    totals: dict[str, list[float]] = {"first and second sets": [0, 0, 0], "all three sets": [0, 0, 0]}
    for name, path in (("first set", SMOKE), ("second set", HELD_OUT), ("third set", HELD_OUT2)):
        queries = read_queries(path, index)
        t1, t3, calib = topk(model, queries)
        test_calib += calib
        for total, sums in totals.items():
            if path != HELD_OUT2 or total == "all three sets":
                sums[0] += t1 * len(queries)
                sums[1] += t3 * len(queries)
                sums[2] += len(queries)
        print(f"  unseen hand-written paraphrases, {name}: n={len(queries)} top-1 {t1:.1%} top-3 {t3:.1%}")
    for total, (h1, h3, n) in totals.items():
        print(f"  {total}: n={int(n)} top-1 {h1 / n:.1%} top-3 {h3 / n:.1%}")
    print("  reliability of the calibrated confidence on all unseen paraphrases (three sets):")
    print_reliability(test_calib)
    # Held-out folds: each fold holds out one question of every answer and trains on the rest.
    rng = random.Random(1)
    fold_calib: list[tuple[float, bool]] = []
    f1 = f3 = n = 0
    for _fold in range(4):
        by_class: dict[int, list[int]] = {}
        for i, label in enumerate(labels):
            by_class.setdefault(label, []).append(i)
        held = {rng.choice(members) for members in by_class.values()}
        part = engine.train(
            [t for i, t in enumerate(texts) if i not in held],
            [x for i, x in enumerate(labels) if i not in held],
        )
        a, b, c = topk(part, [(texts[i], labels[i]) for i in held])
        f1 += a * len(held)
        f3 += b * len(held)
        n += len(held)
        fold_calib += c
    print(
        f"  held-out folds of the training questions (4 × one per answer): n={n} top-1 {f1 / n:.1%} top-3 {f3 / n:.1%}"
    )
    print("  reliability on these held-out folds:")
    print_reliability(fold_calib)
    out_of_scope = ["今天会下雪吗", "你会唱歌吗", "晚饭吃什么好", "你们行长叫什么", "帮我订个酒店"]
    oos = sum(model.ranked(q, k=1)[0][0] == engine.OOS for q in out_of_scope)
    print(f"  out-of-scope (hand-written, unseen): {oos}/{len(out_of_scope)} recognised")


SYLLABLES = (
    "借记信用储蓄理财基金保险贷款房车消费经营外汇黄金存单定期活期转账汇款挂失补卡密码限额额度分期还款"
    "手续费利率年费积分账单网点预约取号开户销户激活冻结解冻证明流水回单对账签约解约代发工资社保公积金"
    "养老税费电费水费燃气话费医保学费跨境结售汇支票本票承兑托管资产负债"
)
VERBS = [
    "怎么办理",
    "如何查询",
    "需要什么材料",
    "收费多少",
    "多久到账",
    "在哪里办",
    "能不能取消",
    "有什么条件",
    "怎么修改",
    "出问题了怎么办",
]
PREFIX = ["请问", "我想问下", "你好", "麻烦问一下", "", "", "咨询一下", "想了解"]


def synthetic(n_classes: int = 940, per_class: int = 17, seed: int = 3) -> tuple[list[str], list[int]]:
    """16k questions in 940 classes, of the real set's shape; the wording is generated, not real."""
    rng = random.Random(seed)
    texts, labels = [], []
    for c in range(n_classes):
        topic = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 5)))
        verb = rng.choice(VERBS)
        for _ in range(per_class):
            noise = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(0, 2)))
            words = list(topic)
            if len(words) > 3 and rng.random() < 0.3:
                words.pop(rng.randrange(len(words)))
            texts.append(
                f"{rng.choice(PREFIX)}{''.join(words)}{noise}{rng.choice([verb, rng.choice(VERBS)])}"
            )
            labels.append(c)
    return texts, labels


def scale(quick: bool) -> None:
    from fuwu.knowledge import engine

    n_classes = 200 if quick else 940
    texts, labels = synthetic(n_classes)
    started, cpu = time.monotonic(), time.process_time()
    model = engine.train(texts, labels)
    seconds, cpu = time.monotonic() - started, time.process_time() - cpu
    print(f"SYNTHETIC {len(texts)} questions / {n_classes} classes (generated; accuracy meaningless)")
    print(
        f"  retraining (final fit + calibration on a 300-class sample): {seconds:.1f} s wall, "
        f"{cpu:.1f} s CPU  (goal ≤ 120 s)"
    )
    queries = [t + "呢" for t in random.Random(5).sample(texts, 2000)]
    for q in queries[:20]:
        model.ranked(q)
    times, cpu = [], []
    for q in queries:
        t0, c0 = time.perf_counter(), time.thread_time()
        model.ranked(q)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    print(f"  ranking latency over {len(times)} questions: {percentiles(times)}")
    print(f"    its own CPU per question (the rest is waiting for a core): {percentiles(cpu, goal=False)}")


def end_to_end() -> None:
    """`assistant.answer` as the API calls it (ranking + the visibility query), on a throwaway database."""
    data = tempfile.mkdtemp(prefix="fuwu-bench-")
    os.environ["FUWU_DATA_DIR"] = data
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from fuwu.core import services
    from fuwu.core.principals import SYSTEM
    from fuwu.knowledge import assistant
    from fuwu.knowledge.importers import import_faq

    services.org_unit_create(actor=SYSTEM, parent=None, code="HO", name="总行", kind="head_office")
    started = time.monotonic()
    import_faq(FAQ)
    print(f"END TO END (hand-written FAQ on SQLite): import + retrain {time.monotonic() - started:.1f} s")
    queries = [
        q for path in (SMOKE, HELD_OUT, HELD_OUT2) for q, _gold in read_queries(path, load_faq()[3])
    ] * 5
    for q in queries[:20]:  # warm: the first call loads the published model
        assistant.answer(q)

    def timed(batch: list[str], out: list[float], cpu: list[float] | None = None) -> None:
        from django.db import connection

        for q in batch:
            t0, c0 = time.perf_counter(), time.thread_time()
            assistant.answer(q)
            out.append((time.perf_counter() - t0) * 1000)
            if cpu is not None:
                cpu.append((time.thread_time() - c0) * 1000)
        connection.close()

    times: list[float] = []
    cpu: list[float] = []
    timed(queries, times, cpu)
    print(f"  assistant.answer, one client, {len(times)} calls: {percentiles(times)}")
    print(f"    its own CPU per call (the rest is waiting for a core): {percentiles(cpu, goal=False)}")
    clients = 2  # one per core of this machine; a server runs one process per core
    per_client: list[list[float]] = [[] for _ in range(clients)]
    threads = [
        threading.Thread(target=timed, args=(queries[i::clients], per_client[i])) for i in range(clients)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    loaded = [x for part in per_client for x in part]
    print(
        f"  assistant.answer, {clients} concurrent clients (threads), {len(loaded)} calls in {elapsed:.1f} s: "
        f"{percentiles(loaded)}"
    )
    print(f"  load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def percentiles(times: list[float], *, goal: bool = True) -> str:
    ordered = sorted(times)
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)]
    text = f"p50 {statistics.median(ordered):.1f} ms, p99 {p99:.1f} ms"
    return text + " (goal p99 ≤ 50 ms)" if goal else text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="200 synthetic classes instead of 940")
    args = parser.parse_args()
    import django
    from django.conf import settings

    del django, settings
    smoke()
    scale(args.quick)
    end_to_end()


if __name__ == "__main__":
    main()
