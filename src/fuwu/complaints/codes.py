"""The JR/T 0169-2018 code tables (《金融消费者投诉统计分类及编码 银行业金融机构》): A 业务办理渠道, B 业务类型,
C 投诉原因.

What is verified and what is not (README, "Complaints: code tables"):
- The structure is from a PBOC branch's public report on implementing the standard: dimension letters A/B/C;
  channel in two top classes, 前台业务渠道 (营业现场, 自助机具, 电子渠道 {网银, 电话, 移动客户端, 网络公众平台, 短信,
  其他}, 第三方渠道, 其他) and 中、后台业务渠道; the category and reason names.
- The code VALUES below are not verified: they follow the listing order, two digits per level. The standard's
  own tables were not found in public sources. `fuwu import complaint-codes FILE.xlsx` loads the official
  table (validated, atomic, old → new codes, cases migrated) and marks its rows verified.

`seed_key` is the seed code a row descends from: the classifier and the demo's text generator speak seed
keys, and read the code in force from the table (`current_codes`), so an import never leaves them behind.
"""

from __future__ import annotations

from typing import Any

Node = tuple[str, str, list[Any]]

LETTERS = {"channel": "A", "category": "B", "reason": "C"}
DIMENSION_OF = {letter: dim for dim, letter in LETTERS.items()}

SEED: dict[str, list[Node]] = {
    "channel": [
        (
            "1",
            "前台业务渠道",
            [
                ("01", "营业现场", []),
                ("02", "自助机具", []),
                (
                    "03",
                    "电子渠道",
                    [
                        ("0301", "网银", []),
                        ("0302", "电话", []),
                        ("0303", "移动客户端", []),
                        ("0304", "网络公众平台", []),
                        ("0305", "短信", []),
                        ("0306", "其他", []),
                    ],
                ),
                ("04", "第三方渠道", []),
                ("06", "其他", []),
            ],
        ),
        ("05", "中、后台业务渠道", []),
    ],
    "category": [
        ("01", "人民币储蓄", []),
        ("02", "贷款", []),
        ("03", "银行卡", []),
        ("04", "支付结算", []),
        ("05", "人民币管理", []),
        ("06", "个人金融信息", []),
        ("07", "国库", []),
        ("08", "外汇", []),
        ("09", "自营理财", []),
        ("10", "银行代理业务", []),
        ("11", "贵金属", []),
        ("12", "其他中间业务", []),
        ("13", "债务催收", []),
        ("14", "其他", []),
    ],
    "reason": [
        ("01", "服务态度及服务质量", []),
        ("02", "服务设施设备及业务系统", []),
        ("03", "管理制度业务规则与流程", []),
        ("04", "营销方式和手段", []),
        ("05", "信息披露", []),
        ("06", "自主选择权", []),
        ("07", "定价收费", []),
        ("08", "产品收益", []),
        ("09", "合同条款", []),
        ("10", "消费者资金安全", []),
        ("11", "消费者信息安全", []),
        ("12", "债务催收方式和手段", []),
        ("13", "其他", []),
    ],
}


def seed_leaves(dimension: str) -> set[str]:
    """The seed keys a complaint can be coded with (nodes without children)."""
    found: set[str] = set()

    def walk(nodes: list[Node]) -> None:
        for code, _name, children in nodes:
            if children:
                walk(children)
            else:
                found.add(code)

    walk(SEED[dimension])
    return found


def seed_codes(model: Any) -> int:
    """Create the missing seed codes (never overwrites admin edits or an import); returns how many were created."""
    created = 0
    # Migration 0002 runs this on a historical model that has no seed_key yet (0005 fills it in).
    keyed = any(f.name == "seed_key" for f in model._meta.get_fields())

    def walk(dimension: str, nodes: list[Node], parent: Any) -> None:
        nonlocal created
        for order, (code, name, children) in enumerate(nodes):
            defaults = {"name": name, "sort_order": order, "parent": parent}
            if keyed:
                defaults["seed_key"] = code
            row, made = model.objects.get_or_create(dimension=dimension, code=code, defaults=defaults)
            created += made
            walk(dimension, children, row)

    for dimension, tops in SEED.items():
        walk(dimension, tops, None)
    return created


def current_codes() -> dict[tuple[str, str], str]:
    """(dimension, seed key) → the active code that carries it now (after any import)."""
    from fuwu.complaints.models import ClassificationCode

    rows = ClassificationCode.objects.filter(is_active=True).exclude(seed_key="")
    return {(r.dimension, r.seed_key): r.code for r in rows.order_by("code")}
