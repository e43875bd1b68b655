"""Demo: the hand-written FAQ, a product with its 价格公示 and a business guide, a few customer chats (one
handed over and answered, one waiting), and call transcripts checked against the language dictionary."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from fuwu.core import clock
from fuwu.core.principals import SYSTEM, system
from fuwu.knowledge import importers, services
from fuwu.knowledge.data import FAQ_DEMO as FAQ
from fuwu.knowledge.models import Entry, LanguageCheck

CALLS = [
    "您好，很高兴为您服务。信用卡还款可以通过手机银行办理。请问还有其他问题吗？再见",
    "喂？这个不归我管，你去问网点吧。",
    "您好，请稍等，我帮您查询一下。转账一般两小时内到账。感谢您的来电",
    "您好，急什么，系统正忙着呢，你自己看短信。再见",
    "您好，您的卡已经挂失成功，补卡请携带身份证到网点。祝您生活愉快",
]

# When each batch of demo call transcripts was imported (days before the demo runs).
IMPORTED_DAYS_AGO = (35, 21, 9, 0)

GAP_QUESTIONS = [
    "数字人民币钱包怎么开通",
    "数字人民币钱包开通要去网点吗",
    "怎么开通数字人民币钱包",
    "数字人民币钱包能转账吗",
    "个人养老金账户怎么开",
    "个人养老金账户开户有什么条件",
    "开个人养老金账户需要带什么",
    "外国人可以在你们这开户吗",
    "外籍人士开户需要什么材料",
    "你们停车场收费吗",
]


def build(bank: Any, *, out: Any, options: dict[str, Any]) -> None:
    if Entry.objects.exists():
        return
    importers.import_faq(FAQ)
    services.entry_create(
        actor=SYSTEM,
        data=services.EntryData(
            kind=Entry.Kind.PRODUCT,
            question="“稳利”系列理财产品介绍",
            answer_html="<p>“稳利”系列为固定收益类理财产品，期限180天，业绩比较基准2.6%–3.1%。"
            "<strong>理财非存款，产品有风险，投资须谨慎。</strong></p>",
            category="理财",
            visibility=Entry.Visibility.PUBLIC,
            risk_level="R2",
            fees=(
                ("认购费", "0", "不收取"),
                ("销售服务费", "0.30%/年", "按日计提"),
                ("托管费", "0.02%/年", "按日计提"),
            ),
            documents=("本人有效身份证件", "本行借记卡", "风险承受能力评估结果（有效期内）"),
            paraphrases=("稳利理财怎么样", "稳利理财收费多少", "稳利理财风险大吗"),
        ),
    )
    services.entry_create(
        actor=SYSTEM,
        data=services.EntryData(
            kind=Entry.Kind.GUIDE,
            question="个人开户需要带什么材料",
            answer_html="<p>本人办理携带有效身份证件原件；代理开户另需代理人身份证件和授权委托书。</p>",
            category="借记卡",
            visibility=Entry.Visibility.PUBLIC,
            documents=("本人有效身份证件原件", "代理人身份证件（代办时）", "授权委托书（代办时）"),
            service_code="ACCT",
            paraphrases=("开户要带什么", "开个账户需要哪些证件"),
        ),
    )
    outlet = bank.outlets[0] if bank.outlets else None
    code = outlet.code if outlet is not None else ""
    assistant_actor = system("assistant")
    services.conversation_ask(actor=assistant_actor, question="信用卡怎么还款", outlet_code=code)
    waiting = services.conversation_ask(actor=assistant_actor, question="我要转人工", outlet_code=code)
    services.conversation_ask(
        actor=assistant_actor, question="我妈的卡被吞了怎么办", conversation=waiting.conversation
    )
    answered = services.conversation_ask(actor=assistant_actor, question="今天天气怎么样", outlet_code=code)
    services.conversation_reply(
        actor=SYSTEM,
        conversation=answered.conversation,
        text="您好，天气问题我们无法解答，请问有什么银行业务需要帮助吗？",
    )
    # Questions the FAQ does not cover yet, each in its own chat: the gaps screen groups them for the editors.
    for question in GAP_QUESTIONS:
        services.conversation_ask(actor=assistant_actor, question=question, outlet_code=code)
    gaps = services.gap_clusters_rebuild(actor=system("knowledge gaps"))
    out.write(f"knowledge: {len(GAP_QUESTIONS)} unanswered questions clustered into {gaps} gaps\n")
    # The calls are to the outlets' service phones (网点服务电话), answered by outlet staff: a forbidden phrase
    # is the outlet's to rectify, and climbs to its branch when overdue. One person at each of five outlets.
    outlets = {o.pk for o in bank.outlets}
    by_outlet = {u.org_unit_id: u for u in bank.staff if u.staff_code and u.org_unit_id in outlets}
    staff = list(by_outlet.values())[:5]
    if staff:
        # Four batches imported on the day after their calls, the oldest weeks ago: their forbidden-phrase
        # rectifications are overdue by now, as a real ledger's are, and the escalation sweep finds them.
        now = clock.now()
        for batch, days_ago in enumerate(IMPORTED_DAYS_AGO):
            start = now - dt.timedelta(days=days_ago + 1)
            with tempfile.TemporaryDirectory() as folder, clock.frozen(now - dt.timedelta(days=days_ago)):
                path = Path(folder) / "calls.csv"
                with path.open("w", newline="", encoding="utf-8") as handle:
                    writer = csv.writer(handle)
                    writer.writerow(["call_id", "agent", "time", "text"])
                    for i, text in enumerate(CALLS):
                        n = batch * len(CALLS) + i
                        at = (start + dt.timedelta(minutes=7 * n)).isoformat()
                        writer.writerow([f"DEMO-{n + 1:04d}", staff[n % len(staff)].staff_code, at, text])
                importers.import_transcripts(path)
    out.write(
        f"knowledge: {Entry.objects.count()} entries, {LanguageCheck.objects.count()} texts checked for service language\n"
    )
