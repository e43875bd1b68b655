"""The seeded top levels of the JR/T 0169-2018 code hierarchies (channel, business category, reason).

Codes are two digits per level in the order the standard lists the items; banks refine below them in admin.
"""

from __future__ import annotations

from typing import Any

SEED: dict[str, list[tuple[str, str, list[tuple[str, str]]]]] = {
    "channel": [
        ("01", "营业现场", []),
        ("02", "自助机具", []),
        (
            "03",
            "电子渠道",
            [
                ("0301", "网银"),
                ("0302", "电话"),
                ("0303", "移动客户端"),
                ("0304", "网络公众平台"),
                ("0305", "短信"),
                ("0306", "其他"),
            ],
        ),
        ("04", "第三方渠道", []),
        ("05", "中后台", []),
        ("06", "其他", []),
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


def seed_codes(model: Any) -> int:
    """Create the missing seed codes (never overwrites admin edits); returns how many were created."""
    created = 0
    for dimension, tops in SEED.items():
        for order, (code, name, children) in enumerate(tops):
            parent, made = model.objects.get_or_create(
                dimension=dimension, code=code, defaults={"name": name, "sort_order": order}
            )
            created += made
            for child_order, (child_code, child_name) in enumerate(children):
                _child, made = model.objects.get_or_create(
                    dimension=dimension,
                    code=child_code,
                    defaults={"name": child_name, "sort_order": child_order, "parent": parent},
                )
                created += made
    return created
