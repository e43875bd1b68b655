"""The built-in checklists, with their content from seed 004 §四.3–5 (and usual bank practice where it only names them).

Each template: (code, name, description, sections); each section: (title, items); each item a dict with
code, text, and optionally weight, critical, photo, points (max points), severity, position, guidance.
"""

from __future__ import annotations

from typing import Any

Item = dict[str, Any]

BUILTIN: list[tuple[str, str, str, list[tuple[str, list[Item]]]]] = [
    (
        "WGY",
        "五个一(普通区)",
        "普通区厅堂服务标准:一声问候、一个微笑、一次询问、一次引导/辅导、一声道别(004 §四.4)。",
        [
            (
                "普通区服务",
                [
                    {
                        "code": "WGY-1",
                        "text": "一声问候:客户进门或到柜,员工主动问候“您好,欢迎光临”",
                        "weight": 2,
                    },
                    {"code": "WGY-2", "text": "一个微笑:面带微笑,目光与客户交流", "weight": 2},
                    {"code": "WGY-3", "text": "一次询问:主动询问客户办理何种业务", "weight": 2},
                    {"code": "WGY-4", "text": "一次引导/辅导:引导至相应区域或辅导使用自助设备", "weight": 2},
                    {"code": "WGY-5", "text": "一声道别:业务办结后起身或点头道别“请慢走”", "weight": 2},
                ],
            )
        ],
    ),
    (
        "QGY",
        "七个一(贵宾区)",
        "贵宾区服务标准:一声问候、一杯茶水、一张名片、一次交流、一次营销、一次体验、一次送别(004 §四.4)。",
        [
            (
                "贵宾区服务",
                [
                    {"code": "QGY-1", "text": "一声问候:起身迎接并称呼客户姓氏", "weight": 2},
                    {"code": "QGY-2", "text": "一杯茶水:客户落座后一分钟内奉上茶水", "weight": 1},
                    {"code": "QGY-3", "text": "一张名片:首次接待递送名片并自我介绍", "weight": 1},
                    {"code": "QGY-4", "text": "一次交流:了解客户需求与资产配置情况", "weight": 2},
                    {"code": "QGY-5", "text": "一次营销:结合需求推荐适合的产品", "weight": 2},
                    {"code": "QGY-6", "text": "一次体验:邀请客户体验手机银行或智能设备", "weight": 1},
                    {"code": "QGY-7", "text": "一次送别:送客至贵宾区门口并道别", "weight": 1},
                ],
            )
        ],
    ),
    (
        "SBZ",
        "四不准",
        "厅堂服务“四不准”:不准推诿拒办业务、不准大堂迎客取号位空岗、不准非工作需要玩手机、不准“飞单”私售(004 §四.3)。",
        [
            (
                "四不准",
                [
                    {
                        "code": "SBZ-1",
                        "text": "未推诿、拒办客户业务",
                        "weight": 3,
                        "critical": True,
                        "severity": "major",
                    },
                    {
                        "code": "SBZ-2",
                        "text": "大堂迎客取号位(1号位)无空岗",
                        "weight": 2,
                        "photo": True,
                        "position": 1,
                    },
                    {"code": "SBZ-3", "text": "员工无非工作需要玩手机", "weight": 2, "photo": True},
                    {
                        "code": "SBZ-4",
                        "text": "无“飞单”私售行为",
                        "weight": 3,
                        "critical": True,
                        "severity": "critical",
                        "guidance": "发现私售非本行产品即为严重违规,须拍照留证并立即上报。",
                    },
                ],
            )
        ],
    ),
    (
        "SBX",
        "四必须",
        "厅堂服务“四必须”:必须首问负责、必须迎送客户、必须全程陪同财富及以上客户服务、必须落实标准化服务流程(004 §四.3)。",
        [
            (
                "四必须",
                [
                    {"code": "SBX-1", "text": "首问负责:首位被询问员工负责解答或带领至责任岗位", "weight": 2},
                    {"code": "SBX-2", "text": "迎送客户:客户进门有人迎、出门有人送", "weight": 2},
                    {"code": "SBX-3", "text": "财富及以上客户全程陪同服务", "weight": 2},
                    {"code": "SBX-4", "text": "落实标准化服务流程(柜面服务“七步曲”)", "weight": 2},
                ],
            )
        ],
    ),
    (
        "BDF",
        "八点服务法",
        "对老年客户尊敬点,对特殊客户帮助点,对求助客户热心点,对外来客户和气点,对不熟悉银行业务客户耐心点,"
        "对急躁客户冷静点,对无理客户忍让点,对抱怨客户倾听点(004 §四.3)。",
        [
            (
                "八点服务法",
                [
                    {"code": "BDF-1", "text": "对老年客户尊敬点", "points": 5},
                    {"code": "BDF-2", "text": "对特殊客户帮助点(老弱病残孕优先、爱心窗口)", "points": 5},
                    {"code": "BDF-3", "text": "对求助客户热心点", "points": 5},
                    {"code": "BDF-4", "text": "对外来客户和气点", "points": 5},
                    {"code": "BDF-5", "text": "对不熟悉银行业务客户耐心点", "points": 5},
                    {"code": "BDF-6", "text": "对急躁客户冷静点", "points": 5},
                    {"code": "BDF-7", "text": "对无理客户忍让点", "points": 5},
                    {"code": "BDF-8", "text": "对抱怨客户倾听点", "points": 5},
                ],
            )
        ],
    ),
    (
        "SWFZ",
        "首问负责制",
        "杜绝“进门无人理、咨询无人应、出门无人送”;落实首问负责、岗位联动及转推介(004 §四.4)。",
        [
            (
                "首问负责",
                [
                    {"code": "SWFZ-1", "text": "客户进门有人理:30秒内有员工主动接待", "weight": 2},
                    {
                        "code": "SWFZ-2",
                        "text": "客户咨询有人应:首问员工不推诿,不说“不知道”“不归我管”",
                        "weight": 3,
                        "critical": True,
                        "severity": "major",
                    },
                    {"code": "SWFZ-3", "text": "非本岗业务带领或转介至责任岗位并交接清楚", "weight": 2},
                    {"code": "SWFZ-4", "text": "客户出门有人送", "weight": 1},
                ],
            )
        ],
    ),
    (
        "6S",
        "6S网点管理",
        "整理、整顿、清扫、清洁、素养、安全;按网点“6S”管理验收标准检查(004 §四.5)。",
        [
            (
                "营业环境",
                [
                    {"code": "6S-1", "text": "整理:柜面及台面无与工作无关物品", "weight": 1, "photo": True},
                    {
                        "code": "6S-2",
                        "text": "整顿:宣传折页、单据定位摆放,标识清晰",
                        "weight": 1,
                        "photo": True,
                    },
                    {
                        "code": "6S-3",
                        "text": "清扫:地面、玻璃、自助设备洁净无污渍",
                        "weight": 1,
                        "photo": True,
                    },
                    {"code": "6S-4", "text": "清洁:卫生责任区落实到人,有检查记录", "weight": 1},
                ],
            ),
            (
                "人员与安全",
                [
                    {"code": "6S-5", "text": "素养:员工按规范着装、遵守厅堂纪律", "weight": 1},
                    {
                        "code": "6S-6",
                        "text": "安全:消防通道畅通、现金与凭证按规定保管",
                        "weight": 2,
                        "critical": True,
                        "photo": True,
                        "severity": "critical",
                    },
                ],
            ),
        ],
    ),
    (
        "YRYB",
        "仪容仪表与服务用语",
        "员工仪容仪表、服务用语与禁用语(整改方案 000 二(一)2:统一服务语言规范,明确文明用语和禁用语)。",
        [
            (
                "仪容仪表",
                [
                    {"code": "YRYB-1", "text": "统一着行服,佩戴工号牌", "weight": 1, "photo": True},
                    {"code": "YRYB-2", "text": "发型整洁,妆容淡雅,不佩戴夸张饰品", "weight": 1},
                    {"code": "YRYB-3", "text": "坐姿、站姿端正,精神饱满", "weight": 1},
                ],
            ),
            (
                "服务用语",
                [
                    {
                        "code": "YRYB-4",
                        "text": "使用普通话和文明用语(请、您好、谢谢、对不起、再见)",
                        "weight": 2,
                    },
                    {
                        "code": "YRYB-5",
                        "text": "未使用服务禁用语,未与客户争执",
                        "weight": 3,
                        "critical": True,
                        "severity": "major",
                    },
                    {"code": "YRYB-6", "text": "解释业务通俗易懂,少用专业术语", "weight": 1},
                ],
            ),
        ],
    ),
    (
        "LSFW",
        "链式服务",
        "大堂人员将服务贯穿“迎客→取号→识别→引导→分流→预处理→转介→送客”全过程(004 §四.4)。",
        [
            (
                "链式服务",
                [
                    {"code": "LSFW-1", "text": "迎客:客户进门主动迎接", "weight": 1, "position": 1},
                    {"code": "LSFW-2", "text": "取号:协助客户取号,询问业务需求", "weight": 1, "position": 1},
                    {"code": "LSFW-3", "text": "识别:识别贵宾客户并进行岗位传递", "weight": 2, "position": 1},
                    {"code": "LSFW-4", "text": "引导:引导客户至相应功能区", "weight": 1, "position": 2},
                    {
                        "code": "LSFW-5",
                        "text": "分流:简单业务分流至自助设备或电子渠道",
                        "weight": 2,
                        "position": 2,
                    },
                    {"code": "LSFW-6", "text": "预处理:指导客户填单、准备资料", "weight": 1, "position": 3},
                    {
                        "code": "LSFW-7",
                        "text": "转介:使用营销转介卡或呼叫设备转介至低柜或客户经理",
                        "weight": 2,
                        "position": 3,
                    },
                    {"code": "LSFW-8", "text": "送客:业务办结后送客道别", "weight": 1, "position": 1},
                ],
            )
        ],
    ),
    (
        "TTDW",
        "厅堂定位1–7号位",
        "1号位迎客取号(站立式)、2号位自助服务区(走动式)、3号位填单及等候区(走动式营销)、4号位低柜、"
        "5号位普通高柜、6号位贵宾高柜、7号位贵宾理财室;1、2号位优先保障专人值守(004 §四.2)。",
        [
            (
                "厅堂定位",
                [
                    {
                        "code": "TTDW-1",
                        "text": "1号位:大堂迎客取号位站立式值守,有专人",
                        "weight": 3,
                        "critical": True,
                        "photo": True,
                        "position": 1,
                        "severity": "major",
                    },
                    {
                        "code": "TTDW-2",
                        "text": "2号位:自助服务区走动式引导,有专人",
                        "weight": 2,
                        "position": 2,
                    },
                    {
                        "code": "TTDW-3",
                        "text": "3号位:填单台及等候区走动式营销,无人时由2号位兼顾",
                        "weight": 1,
                        "position": 3,
                    },
                    {
                        "code": "TTDW-4",
                        "text": "4号位:低柜“七步曲”和“顾问式”销售服务",
                        "weight": 1,
                        "position": 4,
                    },
                    {
                        "code": "TTDW-5",
                        "text": "5号位:普通高柜“七步曲”快速规范服务并“一句话”营销",
                        "weight": 1,
                        "position": 5,
                    },
                    {
                        "code": "TTDW-6",
                        "text": "6号位:贵宾高柜“七步曲”服务并“一句话”营销",
                        "weight": 1,
                        "position": 6,
                    },
                    {
                        "code": "TTDW-7",
                        "text": "7号位:贵宾理财室有人值守或兼顾贵宾区大堂",
                        "weight": 1,
                        "position": 7,
                    },
                    {
                        "code": "TTDW-8",
                        "text": "缺位时按3、4、7号位顺序或由网点主任、弹性柜员及时补位",
                        "weight": 2,
                    },
                ],
            )
        ],
    ),
]
