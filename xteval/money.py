"""Exact numbers: money as ``Decimal`` in 万元 (:func:`D`), plain numbers (:func:`N`),
one rounding rule (:func:`half_up`) and the formats every surface uses.

Every amount in xteval goes through :func:`D`; every other number a person or a
file gives (a count, a percentage, a score, a 指标值) goes through :func:`N`.
:func:`D` understands 元, 万元 and 亿元, thousands separators, full-width digits
and punctuation, and spaces between number and unit, and it converts exactly
(decimal arithmetic, no binary float).

Floats: a Python ``float`` handed to :func:`D` (from papermill or pandas) is
converted through ``repr``, the shortest string that round-trips, so ``0.1``
becomes ``Decimal("0.1")``. YAML never produces floats at all: the params
loader reads numeric scalars straight from their source text (see
``xteval.params.load_yaml``). NaN and infinity are rejected.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NamedTuple

__all__ = [
    "D",
    "N",
    "UNITS",
    "ZERO",
    "NUMBER",
    "AmountError",
    "Written",
    "amounts_in",
    "NumberError",
    "convert",
    "fmt",
    "fmt_count",
    "fmt_money",
    "fmt_rate",
    "fold",
    "half_up",
    "match_key",
    "normalize",
]

ZERO = Decimal(0)

# Factor that turns one of the unit into 万元.
UNITS: dict[str, Decimal] = {
    "元": Decimal("0.0001"),
    "万元": Decimal(1),
    "万": Decimal(1),
    "亿元": Decimal(10000),
    "亿": Decimal(10000),
}

_AMOUNT = re.compile(
    r"""^(?P<sign>[+-])?\s*[¥￥]?\s*
        (?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)
        (?:\.(?P<frac>[0-9]+))?
        \s*(?P<unit>亿元|万元|元|万|亿)?$""",
    re.VERBOSE,
)


class AmountError(ValueError):
    """A text that is not an amount; the message says what was given."""


# Bounds on what a person or a file can hand over as a number: beyond them it is a
# mistake or an attack (``1.0e+400``, a 200,000-digit 元 string), never a budget.
MAX_INT_DIGITS = 15  # 999 万亿
MAX_FRAC_DIGITS = 30  # in a string; more is noise, not precision
MAX_TEXT = 100  # characters of a number's text (separators, unit and spaces included)


def _show(value: object) -> str:
    """A value for a one-line message: its repr, cut to 40 characters."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 100:
        return f"约 {int(value.bit_length() * 0.30103):,} 位的整数"  # repr would hit Python's int-to-text limit
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}…（共 {len(text):,} 字符）"


def _too_big(number: Decimal) -> bool:
    return bool(number) and number.is_finite() and number.adjusted() >= MAX_INT_DIGITS


def _bounded(text: str, error: type[ValueError], what: str) -> None:
    """Refuse a number's text that is too long to be a real figure, before parsing it."""
    if len(text) > MAX_TEXT:
        raise error(f"不是{what}: {_show(text)}，文本过长 (too long to be a number)")


def _exact(value: object, pattern: re.Pattern, error: type[ValueError], what: str, noun: str) -> tuple[Decimal, str | None]:
    """A number given as text (matched by ``pattern``) or as a Python number, exactly, and the unit its text writes.

    ``D`` and ``N`` share this: the same bounds (text length, digits, finiteness) and one-line
    messages, ``what`` and ``noun`` naming what was expected (金额/an amount, 数值/a number).
    """
    number = _python_number(value)
    written = None
    if isinstance(value, str):
        _bounded(value, error, what)
        text = normalize(value).replace(" ", "")
        m = pattern.match(text)
        if not m or len(m["frac"] or "") > MAX_FRAC_DIGITS:
            raise error(f"不是{what}: {_show(value)} (not {noun})")
        number = Decimal((m["sign"] or "") + m["int"].replace(",", "") + ("." + m["frac"] if m["frac"] else ""))
        written = m.groupdict().get("unit")
    elif number is None:
        raise error(f"不是{what}: {_show(value)} (not {noun})")
    if not number.is_finite():
        raise error(f"不是有限{what}: {_show(value)} (not a finite {noun.split()[-1]})")
    if _too_big(number):
        raise error(f"{what}超过 {MAX_INT_DIGITS} 位整数: {_show(value)} (more than {MAX_INT_DIGITS} integer digits)")
    return number, written


def normalize(text: str) -> str:
    """Fold full-width forms (１２３，．) to ASCII and collapse spaces, as OCR text needs."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", " ", text).strip()


def _python_number(value: object) -> Decimal | None:
    """A Python number as an exact Decimal (a float through ``repr``); None for anything else, booleans included."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return None


def D(value: object, unit: str = "万元") -> Decimal:
    """Parse an amount into 万元 exactly.

    Args:
        value: ``"11168.82 万元"``, ``"1,115,814.30 元"``, ``"5.22亿元"``, a full-width
            string, an ``int``, a ``Decimal`` or a ``float`` (converted through ``repr``).
        unit: the unit of a bare number; a unit written in the string wins.

    Returns:
        The amount in 万元, as a ``Decimal``.

    Raises:
        AmountError: the value is not an amount (an exponent, more than 15 integer
            or 30 decimal digits, a text over 100 characters), or the unit is unknown.
    """
    if unit not in UNITS:
        raise AmountError(f"未知单位 {unit!r} (unknown unit)")
    number, written = _exact(value, _AMOUNT, AmountError, "金额", "an amount")
    return number * UNITS[written or unit]


def convert(amount_wan: Decimal, unit: str) -> Decimal:
    """Express an amount held in 万元 in another unit, exactly."""
    if unit not in UNITS:
        raise AmountError(f"未知单位 {unit!r} (unknown unit)")
    return amount_wan / UNITS[unit]


def half_up(value: Decimal, places: int = 2) -> Decimal:
    """Round half-up (GB/T 8170) to ``places`` decimals: the one rounding rule of xteval.

    ``Decimal.quantize`` and ``format(d, ".2f")`` both default to half-even, which
    shows 99.125 as 99.12; every page, message, workbook and CLI output rounds here.
    """
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def restated(values) -> Decimal | None:
    """The one amount a set of amounts states, when every other is it rounded half-up to its own places; else None.

    A report that gives 8.27 万元 in its table and “仅 8 万元” in a heading states one figure, not two: the most
    precise is the figure. A zero is no rounding of anything (“0 万元” against 0.40 says nothing was spent).
    """
    values = set(values)
    precise = min(values, key=lambda v: v.as_tuple().exponent)
    for v in values:
        places = max(0, -v.as_tuple().exponent)
        if v != precise and (v == 0 or -v.as_tuple().exponent >= -precise.as_tuple().exponent or half_up(precise, places) != v):
            return None
    return precise


def fmt(value: Decimal | int | None, places: int = 2, sep: bool = True) -> str:
    """A number as text: half-up to ``places`` decimals, with thousands separators; None is “—”."""
    if value is None:
        return "—"
    if not isinstance(value, Decimal):
        value = N(value)
    try:
        v = half_up(value, places)
    except InvalidOperation:
        return str(value)
    return f"{v:,.{places}f}" if sep else f"{v:.{places}f}"


def fmt_money(value: Decimal | None) -> str:
    """An amount in 万元 for a table: 11,191.02."""
    return fmt(value, 2)


def fmt_rate(value: Decimal | None, places: int = 2) -> str:
    """A rate in % with its sign: 99.13%."""
    return "—" if value is None else f"{fmt(value, places)}%"


def fmt_count(value: Decimal | int | None) -> str:
    """A count as an integer with separators: 1,480 (a fractional count keeps its decimals)."""
    if value is None:
        return "—"
    v = value if isinstance(value, Decimal) else N(value)
    if v == v.to_integral_value():
        return f"{int(v):,}"
    return f"{v.normalize():,f}"


# --------------------------------------------------------------------------- plain numbers


class NumberError(ValueError):
    """A text that is not a plain number; the message says what was given."""


_ASCII_PLAIN = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,30})?\Z")  # [0-9], not \d: \d takes ৪ (4) and ٣ (3) too
_PLAIN = re.compile(r"^(?P<sign>[+-])?(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<frac>[0-9]+))?%?$")


def N(value: object) -> Decimal:
    """Parse a plain number (a count, a percentage, a score, a 指标值) exactly.

    Args:
        value: ``"95"``, ``"95%"``, ``"1,200.5"``, a full-width string, an ``int``,
            a ``Decimal`` or a ``float`` (converted through ``repr``).

    Returns:
        The number as a ``Decimal`` (a trailing % is dropped: ``"95%"`` is 95).

    Raises:
        NumberError: not a finite number (booleans, NaN, infinity, exponents, words,
            more than 15 integer or 30 decimal digits are refused).
    """
    if isinstance(value, str) and _ASCII_PLAIN.match(value):  # the common case (a CSV cell): no folding needed
        return Decimal(value)
    return _exact(value, _PLAIN, NumberError, "数值", "a number")[0]


# --------------------------------------------------------------------------- amounts in running text

# Traditional characters that budget texts use, folded to simplified one for one (so offsets
# and line numbers stay where they were). Portals serve a mechanical 繁體 conversion of the
# same documents (萬元, 預算數, 決算, 財政撥款…); a table of the characters that matter is
# enough, and needs no converter dependency.
_TRADITIONAL = (
    "萬億預決撥款經費項績總額與較增長減少為發開實際數計劃劃動資產營業機關職員績評價報表單"
    "務維護購置運輸車輛點設備專戶結餘轉調補貼償還稅費幣證書圖館醫療衛藥療養險災質環"
    "產權據庫區縣鄉鎮們對這個時間後應當體係統財會認證準確額規範節約統籌協辦處門類標準"
    "衝擊農業漁業廣東雲南貴陝寧鄰見觀點記錄實現獲得範圍達標優良級別編製執行況說明"
    "層級儲備節能減排網絡監測護衛蓋維修場館養護團組織選舉屬於歷屆聯繫電話導師課題學術"
    "歲數傳統藝術國內貿易購買賣價條碼種類型號標識證據權益際際關係興趣億萬億"
    "來從學習問題處理與會議訓練與時俱進當選規劃氣溫濕度風險評級債務複雜壓縮資訊雜誌"
    "園區兒童幼兒園陽顯龍鳳麗華碼頭灣鐵騰沖壩澤瀾島嶺橋濱渦蘇貢獻歸屬錢銀銷售"
    "歸檔檔案當年張貼優質驗收線遠遠離邊邊緣環境滿意綜合執法檢測驗證號碼價值簽訂"
    "談判與會專題專項運行補助彙總匯總紀檢監察審計廳盡責負擔擔保證確認無縫銜接"
)
_SIMPLIFIED = (
    "万亿预决拨款经费项绩总额与较增长减少为发开实际数计划划动资产营业机关职员绩评价报表单"
    "务维护购置运输车辆点设备专户结余转调补贴偿还税费币证书图馆医疗卫药疗养险灾质环"
    "产权据库区县乡镇们对这个时间后应当体系统财会认证准确额规范节约统筹协办处门类标准"
    "冲击农业渔业广东云南贵陕宁邻见观点记录实现获得范围达标优良级别编制执行况说明"
    "层级储备节能减排网络监测护卫盖维修场馆养护团组织选举属于历届联系电话导师课题学术"
    "岁数传统艺术国内贸易购买卖价条码种类型号标识证据权益际际关系兴趣亿万亿"
    "来从学习问题处理与会议训练与时俱进当选规划气温湿度风险评级债务复杂压缩资讯杂志"
    "园区儿童幼儿园阳显龙凤丽华码头湾铁腾冲坝泽澜岛岭桥滨涡苏贡献归属钱银销售"
    "归档档案当年张贴优质验收线远远离边边缘环境满意综合执法检测验证号码价值签订"
    "谈判与会专题专项运行补助汇总汇总纪检监察审计厅尽责负担担保证确认无缝衔接"
)
_EXTRA_TRADITIONAL = dict(
    zip(
        "減餘決預撥績總額實際維護費購運輛發開設專戶結轉調補貼稅幣證書圖醫衛藥險災產權據庫區縣鄉鎮對時間後應當統會認證準確規範節約籌協辦處門類標農漁廣雲貴陝寧鄰觀記錄現獲範圍達優級別編執況說層儲網絡測團織選舉屬歷屆聯繫電話導師題術歲傳藝國貿買賣價條碼種標識權益關係興趣來從學習問處理議練選劃氣溫濕險債務複雜壓縮訊誌園兒陽顯龍鳳麗華頭灣鐵騰壩澤瀾島嶺橋濱渦蘇貢獻歸錢銀銷檔張質驗線遠離邊緣環滿綜執檢號值簽談紀監審廳盡責擔無縫銜"
        "萬億與較長為數計勞務機職員價報單點備養險質環體係財統額節約統門準衝擊業選當條種類型號據際興億個們這問題會訓時氣風評級債雜誌區兒童幼幹倉儲糧衛健護總隊醫院鄉鎮紀檢監察審計廳盡責負擔擔保證確認無縫銜接處罰違規範圍屬設施銷販賣購買車輛緣遠進開關閉門戶網絡線電話書記長們組織團結黨員幹部學習讀寫聽說話語言詞彙寫作證據憑證帳賬簿賬戶餘額結轉結餘撥付劃撥",
        "减余决预拨绩总额实际维护费购运辆发开设专户结转调补贴税币证书图医卫药险灾产权据库区县乡镇对时间后应当统会认证准确规范节约筹协办处门类标农渔广云贵陕宁邻观记录现获范围达优级别编执况说层储网络测团织选举属历届联系电话导师题术岁传艺国贸买卖价条码种标识权益关系兴趣来从学习问处理议练选划气温湿险债务复杂压缩讯志园儿阳显龙凤丽华头湾铁腾坝泽澜岛岭桥滨涡苏贡献归钱银销档张质验线远离边缘环满综执检号值签谈纪监审厅尽责担无缝衔"
        "万亿与较长为数计劳务机职员价报单点备养险质环体系财统额节约统门准冲击业选当条种类型号据际兴亿个们这问题会训时气风评级债杂志区儿童幼干仓储粮卫健护总队医院乡镇纪检监察审计厅尽责负担担保证确认无缝衔接处罚违规范围属设施销贩卖购买车辆缘远进开关闭门户网络线电话书记长们组织团结党员干部学习读写听说话语言词汇写作证据凭证帐账簿账户余额结转结余拨付划拨",
        strict=True,
    )
)
_MORE_TRADITIONAL = (
    (
        "構採訪創獎勵講貫徹續齡並參義礎損虧適復勢態斷繼絕熱紙貸幾雙輕錯誤擬詢獨濟紅綠陸階隨齊劑勝嚴塊夠婦寬寶將崗幫廠徵擴樂樓樣殘"
        "爭狀畢畫異盤眾礦穩積競筆簡納細終給緊緩聞聲腦臨舊裝覺親討試請謝變讓豐貧貨賓賠趨跡踐軍軟載輔輪遞遷遺郵釋鋼鍵鐘閒陳難響頁順"
        "須領頻顧飛飯駐黃賦稱穀鏈廢慮擇擁換暫滅潔禮綱縱繳脈詳譽轄鎖靜頒願驅鬆麼燈煙紐純兩廁壞壽惡慣儀側偵傷僅兇凱劉勸卻廈噸墊奧嬰"
        "孫幟悅愛憶懇搖攜畝磚禦築紋緻繡脹腫膠蒼薦蘋襯訴診証誘諮謠讚賽贏趕輿遊遼釘鈴銅鋪錶鍛閥闖隻霧顏餵鴨鵝鹹麵臺檯裡裏著週鄭漢蘭"
        "閣陰陣韓頂顆飲鮮鹽麥貝詩誠謀謹譜豎貪賀賞賢賴贊贈軸輝輩辭針鈔鑒閃闊闡雖靈飾鬧彈徑憲懷戲撫攝敗敵曉橫殺毀沒濃煉燒爾牆猶獄盜"
        "祕禍窮篩糾絲緒繩繪罷羅聖肅脅膚艱莊虛蟲襲覽託誕諸疊嶄岡廟夢奪奮尋幣剛劇勁厲壯隱隸齒鳥魚馬雞豬飼獸紮綁綿緝罈聰腎膽臉艙蓮視"
        "誼諾謂豈貶趙躍軌辯遜遙釀鉛銳錦鍋鏡闆頗颱飄驚驟髒魯鳴"
    ),
    (
        "构采访创奖励讲贯彻续龄并参义础损亏适复势态断继绝热纸贷几双轻错误拟询独济红绿陆阶随齐剂胜严块够妇宽宝将岗帮厂征扩乐楼样残"
        "争状毕画异盘众矿稳积竞笔简纳细终给紧缓闻声脑临旧装觉亲讨试请谢变让丰贫货宾赔趋迹践军软载辅轮递迁遗邮释钢键钟闲陈难响页顺"
        "须领频顾飞饭驻黄赋称谷链废虑择拥换暂灭洁礼纲纵缴脉详誉辖锁静颁愿驱松么灯烟纽纯两厕坏寿恶惯仪侧侦伤仅凶凯刘劝却厦吨垫奥婴"
        "孙帜悦爱忆恳摇携亩砖御筑纹致绣胀肿胶苍荐苹衬诉诊证诱咨谣赞赛赢赶舆游辽钉铃铜铺表锻阀闯只雾颜喂鸭鹅咸面台台里里着周郑汉兰"
        "阁阴阵韩顶颗饮鲜盐麦贝诗诚谋谨谱竖贪贺赏贤赖赞赠轴辉辈辞针钞鉴闪阔阐虽灵饰闹弹径宪怀戏抚摄败敌晓横杀毁没浓炼烧尔墙犹狱盗"
        "秘祸穷筛纠丝绪绳绘罢罗圣肃胁肤艰庄虚虫袭览托诞诸叠崭冈庙梦夺奋寻币刚剧劲厉壮隐隶齿鸟鱼马鸡猪饲兽扎绑绵缉坛聪肾胆脸舱莲视"
        "谊诺谓岂贬赵跃轨辩逊遥酿铅锐锦锅镜板颇台飘惊骤脏鲁鸣"
    ),
)
_FURTHER_TRADITIONAL = (
    (
        "過則佈併勻囑夥巖攤棄歡淨溝滯漲潛粵葉蝕許該論閱儘傭僱兌凍勳啟嚮壇壘峽帥彎慶擋擠擺擾攔樁樹櫃渾滲滾潤濁瀉烏煩爐狹瑪癡盧矚礙"
        "窩紛紹締纜腳蔥藍蟬觸詭誦誰諒謊謎譯譴賊賜賤贖輯轟迴遲鄧鉅鍊鑄閘閩頃頸顛飢餅饋馮駕騙驕鹵龐龜淺測產雲構繫聯撥蘊蘆廬鄰籤驛堅"
        "塗壓夾嶽扣掛揚撈擬攪敵暢檢歸淚濱瀝煥犖獵璣鑽韌韻頌餓鬱"
    ),
    (
        "过则布并匀嘱伙岩摊弃欢净沟滞涨潜粤叶蚀许该论阅尽佣雇兑冻勋启向坛垒峡帅弯庆挡挤摆扰拦桩树柜浑渗滚润浊泻乌烦炉狭玛痴卢瞩碍"
        "窝纷绍缔缆脚葱蓝蝉触诡诵谁谅谎谜译谴贼赐贱赎辑轰回迟邓巨炼铸闸闽顷颈颠饥饼馈冯驾骗骄卤庞龟浅测产云构系联拨蕴芦庐邻签驿坚"
        "涂压夹岳扣挂扬捞拟搅敌畅检归泪滨沥焕荦猎玑钻韧韵颂饿郁"
    ),
)
TRADITIONAL = str.maketrans(
    {
        **dict(zip(_TRADITIONAL, _SIMPLIFIED, strict=True)),
        **_EXTRA_TRADITIONAL,
        **dict(zip(*_MORE_TRADITIONAL, strict=True)),
        **dict(zip(*_FURTHER_TRADITIONAL, strict=True)),
    }
)


_LONG_TEXT = 65_536  # characters; below this, plain NFKC is as fast as anything


@functools.cache
def _nfkc_sensitive() -> re.Pattern:
    """Runs of the characters NFKC may change.

    A character is safe when NFKC leaves it alone, it combines with nothing before it
    (combining class 0, not a Hangul jamo or syllable, never the second of a canonical pair)
    and it lives in the Basic Multilingual Plane; everything else is sensitive. NFKC of the
    whole text equals NFKC of each sensitive run taken with the one character before it (the
    only one it can compose with), so a long text costs NFKC on its few full-width commas and
    brackets instead of on every ideograph. Built on the first long text (20 ms).
    """
    second_of_pair = set()
    for cp in range(0x10000):
        parts = unicodedata.decomposition(chr(cp)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            second_of_pair.add(int(parts[1], 16))
    runs, start = [], None
    for cp in range(0x10001):
        c = chr(cp) if cp < 0x10000 else ""
        sensitive = bool(c) and (
            0xD800 <= cp <= 0xDFFF
            or cp in second_of_pair
            or 0x1100 <= cp <= 0x11FF
            or 0xAC00 <= cp <= 0xD7A3
            or unicodedata.combining(c) != 0
            or unicodedata.normalize("NFKC", c) != c
        )
        if sensitive and start is None:
            start = cp
        elif not sensitive and start is not None:
            runs.append(f"\\u{start:04x}-\\u{cp - 1:04x}")
            start = None
    return re.compile(f"(?:[{''.join(runs)}]|[\\U00010000-\\U0010ffff])+")


def _nfkc_long(text: str) -> str:
    """NFKC of a long text, normalising only its sensitive runs (see :func:`_nfkc_sensitive`)."""
    if unicodedata.is_normalized("NFKC", text):  # a quick check: plain ASCII and CJK need nothing
        return text
    pieces, done = [], 0
    for m in _nfkc_sensitive().finditer(text):
        start = m.start()
        if start > done and text[start - 1] != "\n":
            start -= 1  # the character before a run may compose with it (a + ◌́ → á)
        pieces += (text[done:start], unicodedata.normalize("NFKC", text[start : m.end()]))
        done = m.end()
    pieces.append(text[done:])
    return "".join(pieces)


# Characters that show nothing yet change what is read or how it is shown: zero-width spaces and joiners
# (one inside 1,000 or inside a label hides it from the reader), bidi controls (U+202E 0011 U+202C shows as
# 1100), the soft hyphen and stray byte-order marks. NFKC keeps them all; fold removes them.
INVISIBLE = {
    cp: None
    for cp in (0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x3164, 0xFEFF, 0xFFA0)
    + tuple(range(0x200B, 0x2010))
    + tuple(range(0x202A, 0x202F))
    + tuple(range(0x2060, 0x2070))
}
FOLD = TRADITIONAL | INVISIBLE
# Numbers in a circle or brackets are list markers (①600万元 is item one, 600 万元), but NFKC makes ① a bare
# "1" that runs into the amount. They become "(1)" first, as reports also write them.
_ENCLOSED_RANGES = ((0x2460, 0x2473), (0x2474, 0x2487), (0x2488, 0x249B), (0x24F5, 0x24FE), (0x2776, 0x277F), (0x2780, 0x2789),
                    (0x278A, 0x2793), (0x24EB, 0x24F4), (0x3251, 0x325F), (0x32B1, 0x32BF))  # fmt: skip
ENCLOSED = {
    cp: f"({int(unicodedata.numeric(chr(cp)))})"
    for lo, hi in _ENCLOSED_RANGES
    for cp in range(lo, hi + 1)
    if unicodedata.numeric(chr(cp), -1) >= 0 and unicodedata.numeric(chr(cp)) == int(unicodedata.numeric(chr(cp)))
}
# A decimal digit of another script (Bengali ৪ looks like 8 and is 4): never read as a number.
OTHER_DIGIT = re.compile(r"[^\D0-9]")  # a digit but not 0-9: one set test a character (a look-ahead cost three)


@functools.cache
def _folded_chars() -> re.Pattern:
    """The characters :data:`FOLD` changes (a few of its entries map a character to itself: a text of them needs no pass)."""
    return re.compile("[" + "".join(re.escape(chr(cp)) for cp, to in FOLD.items() if to != chr(cp)) + "]")


@functools.cache
def _enclosed_chars() -> re.Pattern:
    return re.compile("[" + "".join(re.escape(chr(cp)) for cp in ENCLOSED) + "]")


def _apply_fold(text: str) -> str:
    """``text.translate(FOLD)``: each character to fold replaced where it occurs.

    A simplified-Chinese report holds a few of them in a thousand characters, which the regex
    finds at C speed where ``translate`` looks up every character (half a millisecond a page,
    paid again by each quote and label folded); a text with many (a traditional-Chinese report)
    is translated whole.
    """
    limit = len(text) // 100 + 1
    out, n = _folded_chars().subn(_fold_one, text, count=limit)
    return text.translate(FOLD) if n >= limit else out


def _fold_one(m: re.Match) -> str:
    return FOLD[ord(m[0])] or ""


def other_script_digit(text: str) -> re.Match | None:
    """The first decimal digit that is neither ASCII nor full-width (the ones NFKC makes ASCII), or None."""
    if text.isascii():
        return None
    m = OTHER_DIGIT.search(text)
    while m is not None and unicodedata.normalize("NFKC", m.group()).isascii():
        m = OTHER_DIGIT.search(text, m.end())
    return m


# A pinyin gloss some mirror sites print after a character (预(yù)算, 經(jīng)營): a syllable with its tone mark in
# brackets right after a Chinese character. It is no part of the word, and it splits labels (预(yù)算财政拨款), so
# it is dropped; a bracket of plain letters (a), or one after anything but a character, is kept.
_TONE_MARKS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
# (the bracket first: the search then scans for the bracket alone, 0.003 s on a 10 MB text)
_GLOSS = re.compile(rf"\((?<=[\u4e00-\u9fff]\()(?=[a-zü]{{0,6}}[{_TONE_MARKS}])[a-zü{_TONE_MARKS}]{{1,7}}\)")


def fold(text: str) -> str:
    """A text as the audit reads it: NFKC (full-width forms, ㎡…), traditional characters folded
    to simplified, the fullwidth ideographic space and NBSP as plain spaces, invisible characters
    removed (:data:`INVISIBLE`), list markers ① as ``(1)`` and other scripts' digits as U+FFFD.

    NFKC may change the length of a line (``㎡`` → ``m2``), never the number of lines. A long
    text gets the same result faster: NFKC on the runs it can change (:func:`_nfkc_sensitive`),
    and each table only when one of its characters occurs.
    """
    if text.isascii():
        return text
    if _enclosed_chars().search(text):
        text = text.translate(ENCLOSED)
    text = unicodedata.normalize("NFKC", text) if len(text) < _LONG_TEXT else _nfkc_long(text)
    text = _apply_fold(text)
    text = _GLOSS.sub("", text)
    return OTHER_DIGIT.sub("\ufffd", text) if OTHER_DIGIT.search(text) else text


def match_key(text: str) -> str:
    """A text reduced for “does this quote occur in that report”: :func:`fold`, then no whitespace at all.

    Reports spread characters for justification (``经 费 总 预 算``) and break labels across
    lines; a quote must match whatever spacing either side used.
    """
    return re.sub(r"\s+", "", fold(text))


# A number as reports write it: thousands separators (comma or a thin space) or plain. Bounded, and
# never started inside another number, so a long run of digits costs linear time.
NUMBER = r"(?<![\d.])(?:\d{1,3}(?:,\d{3}){1,6}(?:\.\d{1,8})?|\d{1,15}(?:\.\d{1,8})?)(?![\d])"
MONEY_WORDS = {"亿元": "亿元", "万元": "万元", "元": "元", "亿": "亿元", "万": "万元"}
# After a bare 万/亿 these make it a count (20 亿条, 1.5 万人), not money.
COUNT_AFTER_MULTIPLIER = "条个人次件项户家余多平米公吨头只册本份台套辆所场批名张座间处篇部支"
# The same number, opening with its first digit (the look-behind moved after it), so that the regex engine skips
# to the next digit in C; :func:`amounts_in` reads a sign just before it. A pattern that opens with an optional
# sign is tried at every character of a text: three times the time on a 10 MB report.
_NUMBER_AT_DIGIT = r"\d(?<![\d.]\d)(?:\d{0,2}(?:,\d{3}){1,6}(?:\.\d{1,8})?|\d{0,14}(?:\.\d{1,8})?)(?![\d])"
_AMOUNT_IN_TEXT = re.compile(
    rf"(?P<num>{_NUMBER_AT_DIGIT})(?:\s*(?:(?P<money>亿\s*元|万\s*元|元(?![/每])|亿(?![{COUNT_AFTER_MULTIPLIER}])|万(?![{COUNT_AFTER_MULTIPLIER}]))|(?P<pct>%)))?"
)
_SIGNS = ("-", "−")


class Written(NamedTuple):
    """A number written in a text: its value (money in 万元), kind, unit as written, and offsets.

    A named tuple, not a frozen dataclass: a long report holds a hundred thousand of them, and
    a tuple is built at a third of the cost.
    """

    value: Decimal
    kind: str  # "money", "percent" or "number" (a bare number; a count or a table cell)
    unit: str  # 万元 / 亿元 / 元 for money, % for percent, "" for a bare number
    number: Decimal  # the number as written, before any unit conversion
    start: int
    end: int


def amounts_in(text: str) -> list[Written]:
    """Every number written in a (folded) text: money converted to 万元, percentages, bare numbers.

    The one primitive the params provenance check and the report scanner share: a quote's
    amount is found here the same way the audit finds it in the report.
    """
    out = []
    for m in _AMOUNT_IN_TEXT.finditer(text):
        num, money, pct = m.group("num", "money", "pct")
        number = Decimal(num.replace(",", ""))
        start, end = m.span()
        if start and text[start - 1] in _SIGNS:  # a sign just before the number (no earlier match ends on one)
            number, start = -number, start - 1
        if money:
            unit = MONEY_WORDS["".join(money.split())]  # “万\n元”: a line break or space inside the unit
            out.append(Written(number * UNITS[unit], "money", unit, number, start, end))
        elif pct:
            out.append(Written(number, "percent", "%", number, start, end))
        else:
            out.append(Written(number, "number", "", number, start, end))
    return out
