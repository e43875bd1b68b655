"""Name material for the synthetic bank: common surnames by frequency, given-name characters."""

from __future__ import annotations

import random

# Most common surnames in mainland China, roughly by population share (weights in per-mille).
SURNAMES = [
    ("王", 72), ("李", 72), ("张", 69), ("刘", 54), ("陈", 46), ("杨", 33), ("黄", 24), ("赵", 22), ("吴", 20),
    ("周", 19), ("徐", 15), ("孙", 14), ("马", 13), ("朱", 12), ("胡", 11), ("郭", 11), ("何", 10), ("林", 10),
    ("高", 10), ("罗", 9), ("郑", 9), ("梁", 8), ("谢", 7), ("宋", 7), ("唐", 7), ("许", 6), ("韩", 6), ("冯", 6),
    ("邓", 6), ("曹", 5), ("彭", 5), ("曾", 5), ("肖", 5), ("田", 5), ("董", 5), ("袁", 4), ("潘", 4), ("于", 4),
    ("蒋", 4), ("蔡", 4), ("余", 4), ("杜", 4), ("叶", 4), ("程", 4), ("苏", 3), ("魏", 3), ("吕", 3), ("丁", 3),
    ("任", 3), ("沈", 3), ("姚", 3), ("卢", 3), ("姜", 3), ("崔", 3), ("钟", 3), ("谭", 3), ("陆", 3), ("汪", 3),
    ("范", 3), ("金", 3), ("石", 3), ("廖", 3), ("贾", 2), ("夏", 2), ("韦", 2), ("付", 2), ("方", 2), ("白", 2),
    ("邹", 2), ("孟", 2), ("熊", 2), ("秦", 2), ("邱", 2), ("江", 2), ("尹", 2), ("薛", 2), ("闫", 2), ("段", 2),
    ("雷", 2), ("侯", 2), ("龙", 2), ("史", 2), ("陶", 2), ("黎", 2), ("贺", 2), ("顾", 2), ("毛", 2), ("郝", 2),
    ("欧阳", 1), ("司马", 1), ("上官", 1),
]
GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林建国志文博斌晨阳峰东海亮成"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀玲桂英慧莹雪琳晶欣怡婷颖琪梅兰红燕萍倩洁佳悦彤璐瑶楠月"


def chinese_name(rng: random.Random, gender: str) -> str:
    surnames, weights = zip(*SURNAMES, strict=True)
    surname = rng.choices(surnames, weights=weights)[0]
    pool = GIVEN_MALE if gender == "M" else GIVEN_FEMALE
    length = 1 if rng.random() < 0.3 else 2
    return surname + "".join(rng.choice(pool) for _ in range(length))
