"""De-identification for the typical-case library: numbers via core.pii.scrub, plus names and addresses."""

from __future__ import annotations

import re
from collections.abc import Iterable

from fuwu.core import pii

# A Chinese street address: optional province/city/district, then a road/street with a number, building, room.
# A Chinese character that does not start an address ("家住", "位于", "地址为" stay outside the match).
_C = r"(?:(?![住在于址为是到的])[\u4e00-\u9fa5])"
ADDRESS_RE = re.compile(
    rf"(?:{_C}{{2,6}}(?:省|自治区|市|区|县|镇|乡|街道))*"
    rf"(?:{_C}|\d){{1,12}}(?:路|街|大道|巷|弄|胡同|村)[\d一二三四五六七八九十百零〇]+号"
    r"(?:[\d一二三四五六七八九十]+(?:栋|幢|号楼|单元|层|楼|室|号))*"
)
# Honorific forms that carry a surname: 王先生, 李女士, 张阿姨, 小刘, 老陈.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦"
    "付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
HONORIFIC_RE = re.compile(rf"[{SURNAMES}](?:先生|女士|小姐|阿姨|大爷|大妈|老师|师傅|经理|行长|主任|柜员)")
# 于/金/万/方/高 are left out: 小于, 小金额, 老方法, 老高速 are words, not people.
NICK_RE = re.compile("(?:小|老)[" + re.sub("[于金万方高]", "", SURNAMES) + "]")
PERSON_MASK = "某某"
NUMBER_MASK = "[号码]"
MASKED_RE = re.compile(r"\d{0,6}\*{3,}[\dXx]{0,4}")
ADDRESS_MASK = "[地址]"


def deidentify(text: str, names: Iterable[str] = ()) -> str:
    """Remove ID, card and phone numbers, the given names, surnamed honorifics and street addresses."""
    # A typical case needs no digits of an identifier at all, so mask first and then drop the masked form.
    text = pii.scrub(text)
    text = MASKED_RE.sub(NUMBER_MASK, text)
    for name in sorted({n for n in names if n and len(n) >= 2}, key=len, reverse=True):
        text = text.replace(name, PERSON_MASK)
    text = ADDRESS_RE.sub(ADDRESS_MASK, text)
    text = HONORIFIC_RE.sub(lambda m: "某" + m.group(0)[1:], text)
    return NICK_RE.sub(lambda m: m.group(0)[0] + "某", text)
