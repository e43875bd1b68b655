"""Bank vocabulary the assistant treats as one word: customers say 储蓄卡, 按揭, 动态码; the FAQ says 借记卡, 房贷, 验证码.

Each group is (canonical, variants); after normalisation (`fuwu.knowledge.text.normalize`) every variant in a
question is rewritten to its canonical form, for training and answering alike, so the character features of
"按揭需要什么" and "房贷需要什么" meet. Written by hand from common banking usage for this project (not mined
from any question set); a variant must mean the canonical word wherever it appears in a bank question, so
broad words (银行卡, 费用, 开通) are deliberately left out. Changing this list retrains the assistant (it is part
of the model's signature).
"""

from __future__ import annotations

SYNONYMS: list[tuple[str, list[str]]] = [
    ("借记卡", ["储蓄卡", "借记账户"]),
    ("转账", ["转钱", "打钱", "打款", "划款", "划转"]),
    ("汇款", ["汇钱", "寄钱", "电汇"]),
    ("境外", ["国外", "海外", "外国", "跨境", "国际"]),
    ("外币", ["外汇", "美元", "美金", "欧元", "日元", "港币", "英镑"]),
    ("手机号", ["手机号码", "电话号码", "电话号"]),
    ("验证码", ["动态码", "校验码", "短信码", "动态密码"]),
    ("房贷", ["按揭", "住房贷款", "房屋贷款", "购房贷款", "买房贷款"]),
    ("贷款", ["借钱", "借款", "贷点钱"]),
    ("周末", ["星期六", "星期天", "星期日", "礼拜六", "礼拜天", "礼拜日", "周六", "周日"]),
    ("营业", ["开门", "关门", "上班", "下班", "营业时间"]),
    ("取号", ["排号", "拿号", "叫号"]),
    ("忘记", ["忘了", "不记得", "记不起", "记不清", "想不起"]),
    ("利率", ["利息", "年化"]),
    ("赎回", ["卖出", "卖掉", "取出理财"]),
    ("提额", ["提高额度", "调高额度", "提升额度", "增加额度", "提高信用额度"]),
    ("取现", ["取钱", "取款", "取现金", "提现"]),
    ("代办", ["代理", "委托", "代为办理"]),
    ("手机银行", ["网上银行", "网银", "银行app", "客户端"]),
    ("风险测评", ["风险评估", "风险测试", "风评"]),
    ("投诉", ["举报", "告你们"]),
]
