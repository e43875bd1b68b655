"""Chinese feedback text: jieba segmentation with a banking dictionary, topics, sentiment (F6).

The sentiment model is a linear classifier trained by `python -m fuwu.feedback.text.train` and kept in
`data/model.json` (vocabulary, idf, weights): plain numbers, so it loads with no pickle and no version lock.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import threading
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jieba

HERE = Path(__file__).resolve().parent
USER_DICT = HERE / "data" / "bank_dict.txt"
MODEL_PATH = HERE / "data" / "model.json"

# Topic → keywords that mark it (matched on segmented words and on the raw text for multi-word phrases).
TOPICS: dict[str, tuple[str, ...]] = {
    "wait": (
        "排队",
        "等候",
        "等了",
        "等待",
        "太久",
        "半天",
        "叫号",
        "排号",
        "取号",
        "人多",
        "窗口少",
        "只开",
        "慢",
    ),
    "attitude": (
        "态度",
        "热情",
        "耐心",
        "冷淡",
        "不耐烦",
        "爱答不理",
        "微笑",
        "礼貌",
        "凶",
        "脸色",
        "语气",
        "服务好",
        "贴心",
        "周到",
    ),
    "competence": (
        "专业",
        "不熟练",
        "业务不熟",
        "熟练",
        "解释",
        "讲解",
        "说不清",
        "不懂",
        "新手",
        "实习",
        "搞错",
        "出错",
        "弄错",
    ),
    "process": (
        "流程",
        "手续",
        "繁琐",
        "麻烦",
        "填单",
        "资料",
        "复印件",
        "证明",
        "跑了",
        "来回",
        "签字",
        "规定",
    ),
    "fees": ("手续费", "年费", "收费", "利率", "利息", "扣费", "扣钱", "费用"),
    "sales": ("推销", "搭售", "理财产品", "保险", "基金", "营销", "办卡"),
    "facilities": (
        "环境",
        "空调",
        "座椅",
        "座位",
        "停车",
        "卫生",
        "饮水机",
        "厕所",
        "洗手间",
        "无障碍",
        "轮椅",
        "冷",
        "热",
    ),
    "self_service": (
        "自助",
        "ATM",
        "存取款机",
        "智能柜台",
        "机器",
        "吞卡",
        "故障",
        "坏了",
        "手机银行",
        "网上银行",
        "系统",
    ),
    "elderly": ("老人", "老年人", "大爷", "大妈", "阿姨", "老太太", "老先生", "适老", "爸妈", "父母"),
}

TOPIC_LABELS = {
    "wait": "等候时间",
    "attitude": "服务态度",
    "competence": "业务能力",
    "process": "流程手续",
    "fees": "收费利率",
    "sales": "营销推销",
    "facilities": "环境设施",
    "self_service": "自助与线上渠道",
    "elderly": "老年客户",
}

STOPWORDS = frozenset(
    [
        "的",
        "了",
        "是",
        "我",
        "你",
        "他",
        "她",
        "们",
        "在",
        "也",
        "就",
        "都",
        "和",
        "还",
        "又",
        "很",
        "太",
        "这",
        "那",
        "有",
        "没",
        "不",
        "吧",
        "啊",
        "呢",
        "吗",
        "哦",
        "嗯",
        "呀",
        "个",
        "一",
        "一下",
        "一个",
        "给",
        "把",
        "被",
        "让",
        "说",
        "去",
        "来",
        "到",
        "对",
        "跟",
        "与",
        "及",
        "而",
        "但",
        "但是",
        "可是",
        "然后",
        "因为",
        "所以",
        "如果",
        "就是",
        "还是",
        "这个",
        "那个",
        "什么",
        "怎么",
        "这么",
        "那么",
        "自己",
        "我们",
        "你们",
        "他们",
        "今天",
        "昨天",
        "时候",
        "现在",
        "已经",
        "真的",
        "非常",
        "特别",
        "比较",
        "有点",
        "一点",
        "银行",
        "网点",
        "支行",
        "工作人员",
        "工作",
        "人员",
        "办理",
        "业务",
        "次",
        "去",
        "过",
        "着",
        "得",
        "地",
    ]
)

_init_lock = threading.Lock()
# Our own tokenizer: the banking dictionary must not leak into jieba's global one, which the complaint
# classifier (trained without it) also uses.
# Created on first use: importing jieba costs a third of a second in every web worker and CLI command.
_tokenizer: jieba.Tokenizer | None = None


def _ensure_jieba() -> jieba.Tokenizer:
    global _tokenizer
    with _init_lock:
        if _tokenizer is None:
            import jieba

            jieba.setLogLevel(60)
            tokenizer = jieba.Tokenizer()
            tokenizer.load_userdict(str(USER_DICT))
            _tokenizer = tokenizer
        return _tokenizer


_PUNCT = re.compile(r"[\s，。！？、；：,.!?;:\"'“”‘’（）()【】\[\]…~～—\-]+")


def segment(text: str) -> list[str]:
    """jieba words (banking dictionary loaded), punctuation dropped."""
    tokenizer = _ensure_jieba()
    return [w for w in (t.strip() for t in tokenizer.lcut(text)) if w and not _PUNCT.fullmatch(w)]


def keywords(text: str) -> list[str]:
    """Content words for trending terms: no stopwords, no single characters, no numbers."""
    return [w for w in segment(text) if len(w) > 1 and w not in STOPWORDS and not w.isdigit()]


def topics(text: str) -> list[str]:
    """Every topic whose marker appears in the text, in catalogue order."""
    words = set(segment(text))
    found = []
    for topic, markers in TOPICS.items():
        if any(m in words or (len(m) > 1 and m in text) for m in markers):
            found.append(topic)
    return found


# A small general-purpose opinion lexicon: lets the model score words it never saw in training.
POSITIVE_WORDS = frozenset(
    [
        "满意",
        "好评",
        "点赞",
        "表扬",
        "感谢",
        "谢谢",
        "耐心",
        "热情",
        "专业",
        "周到",
        "贴心",
        "暖心",
        "细致",
        "细心",
        "高效",
        "迅速",
        "方便",
        "顺利",
        "舒适",
        "干净",
        "整洁",
        "温和",
        "礼貌",
        "负责",
        "到位",
        "靠谱",
        "实在",
        "规范",
        "优质",
        "一流",
        "感动",
        "温暖",
        "放心",
        "不错",
        "很好",
        "满分",
        "推荐",
        "赞",
        "棒",
        "快",
    ]
)
NEGATIVE_WORDS = frozenset(
    [
        "不满",
        "不满意",
        "差评",
        "失望",
        "投诉",
        "冷淡",
        "敷衍",
        "推诿",
        "刁难",
        "凶",
        "恶劣",
        "傲慢",
        "不耐烦",
        "爱答不理",
        "繁琐",
        "麻烦",
        "折腾",
        "浪费",
        "太久",
        "漫长",
        "拖延",
        "混乱",
        "故障",
        "坏了",
        "错误",
        "弄错",
        "乱扣",
        "坑",
        "骗",
        "离谱",
        "糟糕",
        "垃圾",
        "太慢",
        "慢",
        "差",
        "烦",
        "累",
        "气",
        "脏",
        "乱",
        "堵",
        "白跑",
    ]
)
NEGATORS = ("不", "没", "未", "别", "无")


def _lexicon(words: list[str]) -> list[str]:
    out = []
    for i, word in enumerate(words):
        polarity = "pos" if word in POSITIVE_WORDS else "neg" if word in NEGATIVE_WORDS else ""
        if not polarity:
            continue
        negated = any(
            w in NEGATORS or w in ("不太", "不够", "没有", "并不") for w in words[max(0, i - 2) : i]
        )
        out.append(
            "lex:" + ({"pos": "neg", "neg": "pos"}[polarity] if negated and polarity == "pos" else polarity)
        )
    return out


def features(text: str) -> list[str]:
    """What the sentiment model sees: jieba words, character uni/bi-grams and opinion-lexicon hits."""
    chars = list(_PUNCT.sub("", text))
    grams = ["c:" + c for c in chars] + ["b:" + a + b for a, b in itertools.pairwise(chars)]
    words = segment(text)
    return ["w:" + w for w in words] + grams + _lexicon(words)


@dataclass(frozen=True)
class _Model:
    labels: list[str]
    vocabulary: dict[str, int]
    idf: list[float]
    coef: list[list[float]]
    intercept: list[float]
    neutral_threshold: float = 0.0
    sources: dict[str, int] | None = None


def bank_model_path() -> Path | None:
    """Where the model retrained with the bank's own labels lives (the data directory), once Django is set up."""
    try:
        from django.conf import settings

        return Path(settings.DATA_DIR) / "feedback_text" / "model.json"
    except Exception:
        return None


@lru_cache(maxsize=1)
def _model() -> _Model:
    """The bank's retrained model when there is one, else the shipped base model (read once per process)."""
    bank = bank_model_path()
    path = bank if bank is not None and bank.exists() else MODEL_PATH
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return _Model(
        data["labels"],
        data["vocabulary"],
        data["idf"],
        data["coef"],
        data["intercept"],
        float(data.get("neutral_threshold", 0.0)),
        data.get("sources"),
    )


def sentiment_scores(text: str) -> dict[str, float]:
    """Class probabilities from the stored model (same arithmetic as sklearn's sublinear tf-idf + softmax)."""
    model = _model()
    counts = Counter(f for f in features(text) if f in model.vocabulary)
    weights = {
        model.vocabulary[f]: (1 + math.log(n)) * model.idf[model.vocabulary[f]] for f, n in counts.items()
    }
    norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
    logits = [
        b + sum(row[i] * v / norm for i, v in weights.items())
        for row, b in zip(model.coef, model.intercept, strict=True)
    ]
    top = max(logits)
    exps = [math.exp(z - top) for z in logits]
    total = sum(exps)
    return {label: e / total for label, e in zip(model.labels, exps, strict=True)}


def sentiment(text: str) -> str:
    """positive | neutral | negative: neutral unless a polar class is probable enough (neutral is the majority)."""
    scores = sentiment_scores(text)
    best = max(scores, key=lambda k: scores[k])
    if best != "neutral" and scores[best] < _model().neutral_threshold:
        return "neutral"
    return best


@dataclass(frozen=True)
class Analysis:
    sentiment: str
    topics: list[str]
    terms: list[str]


def analyze(text: str) -> Analysis:
    """Sentiment, topics and keywords of one message."""
    return Analysis(sentiment(text), topics(text), keywords(text)[:40])


def trending(term_lists: list[list[str]], *, limit: int = 15) -> list[tuple[str, int]]:
    """Most frequent terms, counted once per message."""
    counter: Counter[str] = Counter()
    for terms in term_lists:
        counter.update(set(terms))
    return counter.most_common(limit)
