"""Names (姓名) of people and places for the synthetic city.

Surname frequencies lean to southern Fujian, where 陈 and 林 lead; given-name
characters change with the birth cohort, as they do in real registers. All
builders are vectorised: they return Arrow arrays built from index arrays.
"""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# (surname, relative frequency in per mille), Minnan-leaning.
_SURNAMES = (
    "陈120 林90 黄60 张45 李40 吴35 王30 郑30 蔡26 杨25 许20 郭20 洪18 曾17 刘17 苏15 庄14 "
    "沈13 叶12 戴11 赖10 方10 何10 周10 卢10 邱9 谢9 朱9 高9 柯8 徐8 江8 钟7 游7 汤6 韩6 "
    "魏6 潘6 涂5 詹5 康5 孙5 胡5 罗5 杜5 傅4 余4 汪4 姚4 童3 阮3 石3 唐3 白3 廖4 邹3 "
    "萧3 欧阳2 蓝3 钟3 温3 马3 梁3 宋3 曹3 彭3 董2 严2 颜3 施3 程2 田2 邓2 冯2 丁2 薛2 "
    "龚2 纪2 卓2 蒋2 姜2 范2 雷2 翁2 饶1 甘1"
)


def _parse_surnames() -> tuple[list[str], np.ndarray]:
    names: list[str] = []
    weights: list[float] = []
    for item in _SURNAMES.split():
        name = item.rstrip("0123456789")
        if name in names:
            continue
        names.append(name)
        weights.append(float(item[len(name) :]))
    w = np.array(weights)
    return names, w / w.sum()


SURNAMES, SURNAME_P = _parse_surnames()

# Given-name characters by cohort: born before 1970, 1970-1999, 2000 on.
_MALE = (
    "国建明华金福德水木春荣清文志忠伟龙海平生辉庆成永坤进添旺财顺宗源",
    "伟强军勇杰涛斌超明辉俊鹏华志文龙峰波毅坤宏斌健彬鑫振嘉晓艺东锦鸿",
    "宇浩轩泽睿子梓宸博铭家俊豪逸辰昊晨阳皓浩然霖奕煜锦航思哲佑泓铭瑞",
)
_FEMALE = (
    "秀英兰桂凤珍玉花美丽梅霞琴月娥金银宝珠莲惠素雪云彩碧淑娇菊",
    "芳娜敏静丽燕艳玲婷娟霞慧佳琳雪萍红梅晶莉颖妮倩丹琼蓉洁欢华婉",
    "欣怡涵萱雨诗可梦思悦妍彤馨语嘉琪雅若依晴桐钰茜然琳蕊婧瑶冰芷",
)
# Share of one-character given names by cohort.
_SINGLE_P = (0.18, 0.30, 0.10)


def _char_array(pool: str) -> pa.Array:
    return pa.array(list(pool), pa.string())


def person_names(
    rng: np.random.Generator, surname_idx: np.ndarray, male: np.ndarray, birth_year: np.ndarray
) -> pa.Array:
    """Full names: the surname plus one or two cohort-typical characters."""
    n = len(surname_idx)
    cohort = np.where(birth_year < 1970, 0, np.where(birth_year < 2000, 1, 2))
    # One flat pool per (sex, cohort) makes the draw a single take per character.
    pools = [_MALE[c] for c in range(3)] + [_FEMALE[c] for c in range(3)]
    offsets = np.cumsum([0] + [len(p) for p in pools])
    sizes = np.array([len(p) for p in pools])
    group = np.where(male, 0, 3) + cohort
    r1 = rng.random(n)
    r2 = rng.random(n)
    c1 = offsets[group] + (r1 * sizes[group]).astype(np.int64)
    c2 = offsets[group] + (r2 * sizes[group]).astype(np.int64)
    chars = _char_array("".join(pools))
    parts1 = chars.take(pa.array(c1))
    parts2 = chars.take(pa.array(c2))
    single = rng.random(n) < np.array(_SINGLE_P)[cohort]
    parts2 = pc.if_else(pa.array(single), pa.scalar("", pa.string()), parts2)
    family = pa.array(SURNAMES, pa.string()).take(pa.array(surname_idx.astype(np.int64)))
    return pc.binary_join_element_wise(family, parts1, parts2, "")


def surnames(rng: np.random.Generator, n: int) -> np.ndarray:
    """Surname indexes drawn from the regional frequencies."""
    return rng.choice(len(SURNAMES), size=n, p=SURNAME_P).astype(np.int32)


def _w(text: str) -> list[str]:
    return text.split()


# Place-name syllables. Minnan village names use 厝 (house), 埔 (flat), 坑 (gully),
# 洋 (field), 寮 (hut), 墩 (mound), 社 (hamlet), 仔, 尾, 头.
_VILLAGE_HEAD = (
    "东西南北上下前后新大小顶中内外溪山湖田林石洋埔坑塘港浦美福龙凤宝金玉兴安和吉瑞丰庄岭洲坂"
)
_VILLAGE_TAIL = "厝埔坑洋寮墩社美山林田头尾坂溪港洲岭边园亭湖仔里后前兴安丰塘美霞浦"
_COMMUNITY_HEAD = "东西南北新中华胜利建民和平兴瑞丰福康乐锦绣凤凰龙江碧湖金山丹霞蓝田步文通元光明"
_COMMUNITY_TAIL = "城苑桥湖园港山光明华兴安和平丰庆康宁泰福瑞昌盛新都"
_HAMLETS = _w(
    "顶厝 下厝 后埔 前洋 新社 东头 西尾 溪边 山脚 埔尾 大厝 中社 后林 前坑 田中 港口 "
    "林内 石埕 岭下 洋边"
)
_ROADS = _w(
    "胜利西路 胜利东路 延安北路 新华西路 新华东路 元光南路 大同路 博爱道 瑞京路 水仙大街 "
    "南昌路 丹霞路 九龙大道 江滨路 建元东路 龙江路 漳华路 人民路 和平路 中山路 解放路 "
    "迎宾大道 金峰路 钱塘路 沿江路 站前大道 滨海大道"
)
_COMPOUND_HEAD = _w(
    "万科 碧桂园 恒大 融信 建发 联发 世茂 中骏 阳光 金辉 正兴 大唐 龙湖 金地 锦绣 滨江 "
    "湖景 翠苑 东方 盛世 名城 佳和 天元 鸿港 美林 凤凰 丹霞 芝山 九龙 碧湖 福泰 嘉禾 "
    "天宝 香洲 南湖 金域 海峡 中央 学府 书香 江南 华府 御景 观澜 海湾 东湖"
)
_COMPOUND_TAIL = _w(
    "花园 小区 家园 新村 华庭 公馆 雅苑 名都 广场 城 公寓 苑 府 湾 尚城 世家 御府 悦府 景苑 "
    "华府 锦园 一品 壹号 天悦 学府 公园里"
)
_FIRMS = _w(
    "电子 食品 机械 鞋业 服装 家具 建材 物流 贸易 科技 卫浴 钢铁 包装 五金 光电 化工 "
    "水产 茶业 纺织 印务 塑胶 汽车配件 灯饰 医药"
)
_FIRM_HEAD = _w(
    "灿坤 宏发 友达 旗滨 立达信 正新 绿宝 万利达 闽南 龙江 九龙 华盛 东南 海西 鸿运 金源 "
    "鑫达 新世纪 长江 信达 联合 永盛 丰源 天福 华兴 建丰 嘉顺 德盛 泰和 宝利"
)
_FIRM_FIRST = "宏鸿泰华联永金鑫龙凤海天福盛兴安达信源丰嘉德佳恒建正新东南中"
_FIRM_SECOND = "发达盛兴源丰泰利隆昌华美福祥瑞升荣宝成旺"
SUPERMARKET_CHAINS = _w("永辉超市 新华都 沃尔玛 大润发 华联超市 佳宜超市 好又多 朴朴超市")
_RESTAURANT_TAIL = _w("大排档 饭店 小吃店 酒楼 面线糊店 卤面馆 海鲜楼 茶餐厅 烧烤店 牛肉店")
_NUMERALS = "一二三四五六七八九十"


def unique_names(
    rng: np.random.Generator,
    n: int,
    heads: str | list[str],
    tails: str | list[str],
    suffix: str = "",
    taken: set[str] | None = None,
) -> list[str]:
    """``n`` distinct names from head and tail syllables (plus a suffix).

    Draws without replacement over the head × tail product, so no name repeats
    within one call; names already ``taken`` are skipped. When the product runs
    out, names get an ordinal (二, 三, … then digits), as a second branch or
    phase of a real name would.
    """
    heads_l = list(heads)
    tails_l = list(tails)
    taken = taken if taken is not None else set()
    out: list[str] = []
    if n <= 0:
        return out
    total = len(heads_l) * len(tails_l)
    for ordinal in itertools.count(1):
        tag = "" if ordinal == 1 else (numeral(ordinal) if ordinal < 100 else str(ordinal))
        for k in rng.permutation(total):
            h, t = heads_l[k // len(tails_l)], tails_l[k % len(tails_l)]
            if h == t or h[-1] == t[0]:
                continue
            name = f"{h}{t}{tag}{suffix}"
            if name in taken:
                continue
            taken.add(name)
            out.append(name)
            if len(out) == n:
                return out
    return out


def village_names(rng: np.random.Generator, n: int, taken: set[str]) -> list[str]:
    return unique_names(rng, n, _VILLAGE_HEAD, _VILLAGE_TAIL, "村", taken)


def community_names(rng: np.random.Generator, n: int, taken: set[str]) -> list[str]:
    return unique_names(rng, n, _COMMUNITY_HEAD, _COMMUNITY_TAIL, "社区", taken)


def compound_names(rng: np.random.Generator, n: int, taken: set[str]) -> list[str]:
    return unique_names(rng, n, _COMPOUND_HEAD, _COMPOUND_TAIL, "", taken)


def firm_names(rng: np.random.Generator, n: int, taken: set[str]) -> list[str]:
    """Company names: region, a two-character trade name, the trade, 有限公司."""
    trade = [a + b for a in _FIRM_FIRST for b in _FIRM_SECOND if a != b] + _FIRM_HEAD
    heads = [f"{region}{t}" for region in ("漳州", "福建", "闽南", "九龙江") for t in trade]
    tails = [f"{f}有限公司" for f in _FIRMS]
    return unique_names(rng, n, heads, tails, "", taken)


def restaurant_names(rng: np.random.Generator, n: int, taken: set[str]) -> list[str]:
    heads = [s + t for s in "阿老金福好鸿海龙" for t in "伟明华珍兴记发顺"]
    heads += [f"{s}记" for s in SURNAMES[:60]] + [f"老{s}家" for s in SURNAMES[:40]]
    return unique_names(rng, n, heads, _RESTAURANT_TAIL, "", taken)


def hamlets() -> list[str]:
    return list(_HAMLETS)


def roads() -> list[str]:
    return list(_ROADS)


def numeral(n: int) -> str:
    """Chinese numeral for 1..99, as grids are numbered (第十二网格); digits above."""
    if n >= 100:
        return str(n)
    if n <= 10:
        return _NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _NUMERALS[tens - 1]
    return f"{head}十{_NUMERALS[ones - 1] if ones else ''}"
