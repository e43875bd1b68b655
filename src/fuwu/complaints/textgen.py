"""Synthetic Chinese complaint texts with known labels (channel, category, reason, severity).

Provenance: every phrase below was written for this project by its authors from the JR/T 0169 category and
reason definitions and everyday branch experience; no customer data and no downloaded corpus.

The phrase banks are keyed by seed key (`codes.SEED`), not by the code in force: the demo and the suggestions
read the current code of each seed key from the table (`codes.current_codes`), so loading the official table
(`fuwu import complaint-codes`) needs no change here and no retraining. The texts
train the classifier (`ml/train.py`) and fill the demo. The classifier is evaluated on `ml/eval_handwritten.jsonl`,
which was written sentence by sentence without these phrase banks or templates.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

CHANNEL_PHRASES: dict[str, list[str]] = {
    "01": [
        "在网点柜台办理时",
        "今天上午到支行大厅办业务",
        "在营业厅排号等候时",
        "到贵行网点柜面办理",
        "在理财室咨询时",
        "去支行现场办理",
        "在低柜区办理业务时",
        "到网点窗口",
    ],
    "02": [
        "在自助取款机上取钱时",
        "使用ATM机存款时",
        "在自助终端上操作",
        "在网点的智能柜台办理",
        "在存取款一体机上",
        "用自助发卡机时",
        "在24小时自助银行取现时",
    ],
    "0301": [
        "登录个人网银转账时",
        "通过企业网银付款",
        "用电脑网上银行操作",
        "在网银页面上",
        "网上银行U盾登录后",
    ],
    "0302": [
        "拨打客服热线95599",
        "打电话给客服",
        "接到银行客服电话",
        "通过电话银行查询时",
        "客服电话一直占线",
    ],
    "0303": ["使用手机银行APP", "在手机银行上操作时", "手机银行客户端里", "通过APP办理", "手机银行更新后"],
    "0304": ["在银行微信公众号上", "通过微信小程序预约", "在官方微博留言", "公众号里办理业务时"],
    "0305": ["收到银行发来的短信", "短信通知里说", "手机收到动账短信提示", "银行短信验证码一直收不到"],
    "0306": ["通过视频客服办理", "在银行官网上看到", "通过远程视频柜员"],
    "04": [
        "通过支付宝绑定的银行卡",
        "在第三方支付平台上",
        "用微信支付扣款时",
        "在电商平台分期付款",
        "通过合作的互联网平台",
    ],
    "05": ["后台审核部门", "提交资料后后台一直审批", "信贷审批中心", "总行后台处理"],
    "06": ["通过朋友介绍", "在银行举办的活动现场", "在社区宣传点"],
}

CATEGORY_PHRASES: dict[str, list[str]] = {
    "01": [
        "想把定期存款提前支取",
        "存单到期办理转存",
        "活期账户取款",
        "大额存单提前支取",
        "存折补登",
        "存款利息计算",
        "办理储蓄存款",
        "整存整取到期支取",
    ],
    "02": [
        "办理房贷提前还款",
        "申请个人消费贷款",
        "经营贷款续贷",
        "房贷利率调整",
        "贷款放款",
        "公积金组合贷款",
        "车贷还款",
        "申请贷款结清证明",
    ],
    "03": [
        "信用卡账单",
        "借记卡挂失补办",
        "信用卡分期",
        "信用卡年费",
        "银行卡被吞",
        "申请信用卡额度调整",
        "银行卡激活",
        "信用卡还款",
    ],
    "04": [
        "跨行转账",
        "汇款给家人",
        "转账到账延迟",
        "账户被限制非柜面交易",
        "对公账户付款",
        "境内汇款",
        "收款迟迟不到账",
        "转账限额",
    ],
    "05": [
        "兑换残损人民币",
        "兑换零钱",
        "存硬币",
        "用现金缴费被拒收",
        "取出的钱里发现疑似假币",
        "兑换新版纪念钞",
    ],
    "06": ["个人信息", "征信报告", "身份信息", "手机号和住址", "个人资料"],
    "07": ["购买储蓄国债", "国债到期兑付", "凭证式国债", "电子式国债认购", "代缴税款入库"],
    "08": ["购买外汇", "美元结汇", "境外汇款给留学的孩子", "外币现钞兑换", "外汇额度", "欧元取现"],
    "09": ["购买的理财产品", "银行自营理财", "净值型理财", "理财产品赎回", "结构性存款"],
    "10": ["代销的保险", "代销基金", "代缴水电费", "代发工资", "社保卡业务", "代理的保险分红"],
    "11": ["购买金条", "积存金业务", "贵金属回购", "纪念金币", "黄金定投"],
    "12": ["保管箱租用", "开具资信证明", "存款证明", "验资业务", "开立保函"],
    "13": ["信用卡逾期后的催收", "贷款逾期催收", "欠款催收", "委外催收公司", "逾期账款"],
    "14": ["网点停车", "网点营业时间", "网点搬迁", "积分活动", "礼品兑换"],
}

REASON_PHRASES: dict[str, list[str]] = {
    "01": [
        "工作人员态度非常冷淡，问几遍都不耐烦",
        "柜员全程玩手机，服务态度恶劣",
        "排队等了一个多小时没人解释",
        "员工互相推诿，谁都不管",
        "大堂经理说话很冲，让人很不舒服",
        "柜员业务不熟练，办了半天还办错了",
    ],
    "02": [
        "系统一直故障无法办理",
        "机器吞卡后没人处理",
        "APP频繁闪退登录不上",
        "设备坏了好几天没修",
        "系统升级后数据显示错误",
        "网页一直报错提交不了",
    ],
    "03": [
        "手续太繁琐，要求反复提供材料",
        "规定必须本人到场，老人行动不便也不通融",
        "流程不合理，跑了三次还没办完",
        "要求提供各种证明，标准前后不一致",
        "规定一天只能办一次，非常不方便",
    ],
    "04": [
        "被强行推销理财和保险",
        "工作人员反复打电话推销",
        "宣传时夸大收益误导我购买",
        "以抽奖为名推销产品",
        "说是存款结果变成了保险",
    ],
    "05": [
        "当时没有告知风险",
        "费用没有提前说明",
        "重要条款没有解释清楚",
        "没有告诉我有违约金",
        "产品信息披露不充分",
    ],
    "06": [
        "不买保险就不给办贷款",
        "强制捆绑开通其他业务",
        "不让我选择还款方式",
        "必须办信用卡才能办理",
        "默认勾选了增值服务",
    ],
    "07": ["乱收手续费", "年费没经同意就扣了", "收费标准和公示的不一致", "利率被无故上浮", "重复收取管理费"],
    "08": ["收益远低于宣传的预期", "本金亏损了不少", "承诺的收益没有兑现", "到期收益和说的不一样"],
    "09": ["合同里的格式条款不公平", "合同条款有霸王条款", "合同约定和口头承诺不一致", "违约金条款不合理"],
    "10": [
        "卡里的钱被盗刷了",
        "账户资金莫名其妙减少",
        "钱被转走了却没有收到验证码",
        "被骗转账后银行没有及时止付",
    ],
    "11": [
        "个人信息被泄露，天天接到骚扰电话",
        "未经我同意查询了征信",
        "有人冒用我的身份办了业务",
        "资料被别人看到了",
    ],
    "12": [
        "催收人员打电话辱骂威胁",
        "催收电话打到我单位和亲戚那里",
        "半夜不停打催收电话",
        "催收人员上门恐吓",
    ],
    "13": ["其他问题一直得不到解决", "反映的事情没有下文", "希望银行给个说法"],
}

SEVERITY_PHRASES: dict[str, list[str]] = {
    "normal": ["", "希望尽快处理", "请给个解释", "希望改进", "要求道歉"],
    "complex": [
        "涉及多笔交易和多个部门，需要调查",
        "金额有十几万，需要核实流水",
        "已经反映过两次，问题还没解决",
        "涉及第三方机构，需要联合核查",
        "需要调取监控和交易记录",
    ],
    "major": [
        "已经向媒体反映，准备在网上曝光",
        "已经向金融监管局投诉",
        "我们十几户业主一起来讨说法",
        "老人情绪激动在网点晕倒了",
        "客户在大厅扬言要采取过激行为",
        "涉及金额上百万，要求立即赔偿",
        "已经有记者联系我们",
        "准备起诉银行",
    ],
}

DEMANDS = [
    "要求退还费用",
    "要求赔偿损失",
    "要求道歉",
    "要求说明情况",
    "要求撤销业务",
    "要求尽快解决",
    "要求更换经办人员",
]

CATEGORY_REASON_PRIOR: dict[str, list[str]] = {
    "13": ["12", "12", "12", "01", "11"],
    "09": ["08", "05", "04", "08", "09"],
    "06": ["11", "11", "11", "04"],
    "05": ["01", "03", "02"],
    "07": ["01", "03", "08"],
}
SEVERITY_WEIGHTS = (("normal", 0.72), ("complex", 0.2), ("major", 0.08))


@dataclass(frozen=True)
class Sample:
    text: str
    channel: str
    category: str
    reason: str
    severity: str


def sample(rng: random.Random) -> Sample:
    """One labelled complaint text."""
    category = rng.choice(list(CATEGORY_PHRASES))
    prior = CATEGORY_REASON_PRIOR.get(category)
    reason = rng.choice(prior) if prior and rng.random() < 0.6 else rng.choice(list(REASON_PHRASES))
    channel = rng.choice(list(CHANNEL_PHRASES))
    severity = rng.choices([s for s, _ in SEVERITY_WEIGHTS], weights=[w for _, w in SEVERITY_WEIGHTS])[0]
    where = rng.choice(CHANNEL_PHRASES[channel])
    what = rng.choice(CATEGORY_PHRASES[category])
    why = rng.choice(REASON_PHRASES[reason])
    extra = rng.choice(SEVERITY_PHRASES[severity])
    shape = rng.randrange(3)
    if shape == 0:
        text = f"本人{where}{what}，{why}。"
    elif shape == 1:
        text = f"{what}的问题：{where}，{why}。"
    else:
        text = f"客户反映{where}{what}时{why}。"
    if extra:
        text += extra + "，"
    text += rng.choice(DEMANDS) + "。"
    return Sample(text, channel, category, reason, severity)


def corpus(n: int, seed: int) -> list[Sample]:
    rng = random.Random(seed)
    return [sample(rng) for _ in range(n)]
