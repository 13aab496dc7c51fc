"""三公 paragraphs in the shapes published 决算说明 take, read on texts none of our fixtures had (issue 20).

Each text is our own (an invented unit and figures), written in a shape seen in published explanations:
last year's figure named as 上年累计支出 before its change, the parts listed first and then named as the
三公经费 in brackets before their total, the short 公车 names, and a part whose name the reader does not
know, which must neither lend its change to the figure before it nor let the parts it belongs to be summed
as if complete.
"""

from __future__ import annotations

from decimal import Decimal

from xteval import audit
from xteval.audit import read_document

HEAD = "青岚县档案馆2023年度部门决算情况说明\n三、“三公”经费支出决算情况\n"


def _facts(text: str) -> dict[str, list[Decimal]]:
    out: dict[str, list[Decimal]] = {}
    for f in read_document(audit.prepare(HEAD + text)).facts:
        out.setdefault(f.field, []).append(f.value)
    return out


def _statuses(text: str) -> dict[str, str]:
    _, suite = audit.audit(audit.prepare(HEAD + text))
    return {r["id"]: r["status"] for r in suite.to_dicts()}


def test_last_years_spending_named_before_its_change_is_last_years_figure():
    facts = _facts("2023年“三公”经费支出64.20万元，比上年累计支出70.50万元减少6.30万元，下降8.94%。\n")
    assert facts["three_public.actual.total"] == [Decimal("64.20")]  # one figure: not 70.50 beside it
    assert facts["three_public.actual.total.previous"] == [Decimal("70.50")]
    assert facts["three_public.actual.total.change"] == [Decimal("-6.30")]


def test_parts_listed_then_named_three_public_in_brackets_give_the_total():
    text = "全馆因公出国(境)经费、公务接待费、公车购置费、公车运行费（简称“三公”经费）决算总额38.60万元，比上年下降2.5%。\n"
    facts = _facts(text)
    assert facts["three_public.actual.total"] == [Decimal("38.60")]
    assert "three_public.actual.reception" not in facts  # the last part listed is not the total's name


def test_the_short_names_of_vehicle_purchase_and_running_costs_are_read():
    facts = _facts("其中：公车购置费决算12.00万元；公车运行维护费决算9.40万元；公务接待费决算3.10万元。\n")
    assert facts["three_public.actual.vehicle_purchase"] == [Decimal("12.00")]
    assert facts["three_public.actual.vehicle"] == [Decimal("9.40")]


UNKNOWN_PART = (
    "2023年“三公”经费支出96.00万元，比上年累计支出99.00万元减少3.00万元。其中，因公出国(境)费用没有；"
    "公务用车及保障性维护费支出40.00万元，比上年累计支出52.00万元下降12.00万元；"
    "公务用车购置支出18.00万元；公务接待支出38.00万元，比上年累计支出35.00万元增加3.00万元。\n"
)


def test_an_unknown_parts_change_and_last_year_are_not_given_to_the_figure_before_it():
    facts = _facts(UNKNOWN_PART)
    assert facts["three_public.actual.total.previous"] == [Decimal("99.00")]  # not 52.00 as well
    assert facts["three_public.actual.total.change"] == [Decimal("-3.00")]  # not -12.00 as well
    assert facts["three_public.actual.reception.previous"] == [Decimal("35.00")]


def test_a_list_holding_an_unread_part_is_not_summed_as_if_complete():
    statuses = _statuses(UNKNOWN_PART)
    # 18 + 38 is short of 96 by the part left unread (40): no 不符 for the sum, and none for the two 上年 figures
    assert not [k for k, s in statuses.items() if s == "fail"], statuses
    # the same list with every part read still sums: a wrong total is found
    known = UNKNOWN_PART.replace("公务用车及保障性维护费", "公务用车运行维护费").replace("96.00", "97.00", 1)
    failed = [k for k, s in _statuses(known).items() if s == "fail"]
    assert any(k.startswith("identity.three_public.actual.total") for k in failed), failed


def test_the_pinyin_a_converter_site_writes_after_each_character_is_dropped():
    # a traditional text as such sites show it: 經(jīng)費(fèi) for 經費; the labels read through
    text = "2022年本館“三公”經(jīng)費(fèi)支出合計(jì)21.40萬(wàn)元,比上年減少1.60萬(wàn)元。其中:公務(wù)接待費(fèi)6.40萬(wàn)元。\n"
    doc = read_document(audit.prepare(text))
    facts = {f.field: f.value for f in doc.facts}
    assert facts["three_public.actual.total"] == Decimal("21.40")
    assert facts["three_public.actual.reception"] == Decimal("6.40")
    # a bracketed enumerator or Latin words in brackets stay: only a syllable with a tone mark is pinyin
    assert "(a)" in audit.prepare("附表(a)所列\n").text and "(PPP)" in audit.prepare("项目(PPP)\n").text


def test_a_figure_the_unit_arranges_is_a_budget_and_vehicles_may_be_counted_in_tai():
    text = "二、公务用车购置及运行维护费\n本馆公务用车编制2台。安排公车购置及运行维护费16万元，较上年预算下降10%。\n"
    facts = _facts(text)
    assert facts["three_public.control.vehicle_total"] == [Decimal("16")]  # 安排: a budget, though the heading says 决算
    assert "three_public.actual.vehicle_total" not in facts
    assert facts["count.vehicles"] == [Decimal("2")]
    assert "count.vehicles" not in _facts("采购办公设备6台，均已验收。\n")  # a bare 台 stays equipment


def test_the_department_model_of_a_text_with_a_car_purchase_holds_it_and_adds_up():
    text = (
        "2023年“三公”经费支出合计52.00万元。其中：因公出国(境)费0万元；公务用车购置费决算18.00万元；"
        "公务用车运行费决算21.50万元；公务接待费决算12.50万元。\n"
    )
    ex, suite = audit.audit(audit.prepare(HEAD + text))
    actual = ex.model.three_public.actual
    assert (actual.total.value, actual.vehicle.value, actual.vehicle_purchase.value) == (
        Decimal("52.00"),
        Decimal("21.50"),
        Decimal("18.00"),
    )
    assert actual.reception.value + actual.vehicle.value + actual.vehicle_purchase.value + actual.overseas.value == actual.total.value


def test_overseas_named_without_fee_or_brackets_is_read_and_completes_the_sum():
    text = "2023年“三公”经费支出84万元。其中：公务用车运行维护40万元；公务接待费30万元；因公出国14万元，与上年持平。\n"
    assert _facts(text)["three_public.actual.overseas"] == [Decimal("14")]
    assert not [k for k, s in _statuses(text).items() if s == "fail"]


def test_any_figure_of_the_list_left_unread_keeps_the_list_from_being_summed_as_complete():
    # 车辆保障开支 names no part the reader knows: 20 + 30 falls short of 84 by it, which is no 不符
    text = "2023年“三公”经费支出84万元。其中：车辆保障开支34万元；公务接待费30万元；因公出国(境)费20万元。\n"
    facts = _facts(text)
    assert facts["three_public.actual.reception"] == [Decimal("30")] and "three_public.actual.vehicle" not in facts
    assert facts["three_public.actual.total"] == [Decimal("84")]  # 车辆保障开支 is no second total either
    assert not [k for k, s in _statuses(text).items() if s == "fail"]


def test_a_budget_page_with_no_headings_states_budgets_by_its_title_or_opening():
    """A page saved from a budget site has no numbered headings: its title, or its opening sentence, says its
    三公 figures are budgets (控制数), so a total and parts that name no mode are the 控制数 and are summed as
    such; the same sentences under a 决算 title stay actual figures."""
    body = "本年度安排“三公”经费合计18.40万元，其中：公务接待费5.20万元，公务用车运行维护费13.20万元。\n"
    for head in ("白石镇人民政府2025年“三公”经费预算情况说明\n", "根据县人大批准的2025年预算，本镇“三公”经费支出预算安排如下：\n"):
        doc = read_document(audit.prepare(head + body))
        fields = {f.field: f.value for f in doc.facts}
        assert fields["three_public.control.total"] == Decimal("18.40"), head
        assert fields["three_public.control.reception"] == Decimal("5.20") and fields["three_public.control.vehicle"] == Decimal("13.20")
        assert not [f for f in fields if f.startswith("three_public.actual")], head
    _, suite = audit.audit(audit.prepare("白石镇人民政府2025年“三公”经费预算情况说明\n" + body.replace("13.20万元。", "12.20万元。")))
    assert {r["id"]: r["status"] for r in suite.to_dicts()}["identity.three_public.control.total"] == "fail"
    actual = {f.field for f in read_document(audit.prepare("白石镇人民政府2024年度部门决算情况说明\n" + body.replace("安排", ""))).facts}
    assert {"three_public.actual.total", "three_public.actual.reception", "three_public.actual.vehicle"} <= actual
    # a first line that states a budget figure is no title: its words are its own figures', and the parts listed
    # after the actual total are actual
    opening = "本镇2024年度“三公”经费预算为30.00万元，实际支出“三公”经费18.40万元。其中公务接待费5.20万元，公务用车运行维护费13.20万元。\n"
    fields = {f.field: f.value for f in read_document(audit.prepare(opening)).facts}
    assert fields["three_public.control.total"] == Decimal("30.00") and fields["three_public.actual.reception"] == Decimal("5.20")


def test_changes_written_in_turn_go_to_the_figures_before_them_in_order():
    """因公出国费 A，公务用车运行费 B，公务接待费 C。与上年相比，分别减少 x、y、z: one change each, in the order the
    figures stand (the first had gone to the last figure, 公务接待费, and the others were left unread)."""
    facts = _facts(
        "2023年“三公”经费支出决算12.60万元，其中：因公出国(境)费0.80万元，公务用车运行维护费7.30万元，公务接待费4.50万元。"
        "与上年相比，分别减少0.20万元、1.10万元、0.40万元。\n"
    )
    assert facts["three_public.actual.overseas.change"] == [Decimal("-0.20")]
    assert facts["three_public.actual.vehicle.change"] == [Decimal("-1.10")]
    assert facts["three_public.actual.reception.change"] == [Decimal("-0.40")]
    same = _facts("公务用车运行维护费7.30万元、公务接待费4.50万元，比上年分别增长5.0%、12.5%。\n")
    assert same["three_public.actual.vehicle.change_rate"] == [Decimal("5.0")]
    assert same["three_public.actual.reception.change_rate"] == [Decimal("12.5")]
    # three changes for two figures: which figure each is cannot be told, so none is handed on in turn
    short = _facts("公务用车运行维护费7.30万元，公务接待费4.50万元。与上年相比，分别减少0.20万元、1.10万元、0.40万元。\n")
    assert "three_public.actual.vehicle.change" not in short


def test_vehicles_bought_are_counted_apart_from_the_vehicles_held():
    facts = _facts("全年公务用车购置2辆，公务用车保有量15辆；国内公务接待批次40个，接待人次260人。\n")
    assert facts["count.vehicles_purchased"] == [Decimal("2")]
    assert Decimal("2") not in facts.get("count.vehicles", [])


def test_a_heading_that_rounds_a_figure_restates_it_and_raises_no_ambiguity():
    text = "公务接待费仅3万元\n全年“三公”经费支出12.74万元，其中：公务用车运行维护费9.85万元，公务接待费2.89万元。\n"
    statuses = _statuses(text)
    assert not [k for k in statuses if k.startswith("ambiguous")], statuses
    assert statuses["identity.three_public.actual.total"] == "pass"  # with 2.89, the precise figure
    wrong = _statuses(text.replace("仅3万元", "仅4万元"))  # not a rounding of 2.89: two figures, as before
    assert "ambiguous.three_public.actual.reception" in wrong


NEWS = (
    "2022年本局因公出国(境)经费、公务接待费和公务用车购置及运行费的年初预算共56.40万元，全年实际支出51.25万元。\n"
    "2022年本局“三公”经费的财政拨款预算分项为：因公出国(境)费12.00万元，公务用车购置及运行费30.40万元，公务接待费14.00万元。\n"
    "2023年本局“三公”经费的财政拨款预算分项为：因公出国(境)费12.00万元，公务用车购置及运行费28.10万元，公务接待费14.00万元。\n"
)


def test_a_sentence_opened_by_a_mode_and_another_year_is_read_as_such():
    """“2022年…财政拨款预算分项为：因公出国费 A…”: the sentence's opening says its figures are budgets; the three items named
    together before one figure are its total. Two sentences that open with two years state two years' figures: their
    difference is a note to check, never a contradiction of the report's own words (a fail)."""
    doc = read_document(audit.prepare(NEWS))
    fields: dict[str, list[Decimal]] = {}
    for f in doc.facts:
        fields.setdefault(f.field, []).append(f.value)
    assert fields["three_public.control.total"] == [Decimal("56.40")] and fields["three_public.actual.total"] == [Decimal("51.25")]
    assert fields["three_public.control.vehicle_total"] == [Decimal("30.40"), Decimal("28.10")]  # budgets, not actuals
    assert "three_public.actual.vehicle_total" not in fields
    statuses = {r["id"]: r["status"] for r in audit.audit(audit.prepare(NEWS))[1].to_dicts()}
    assert statuses["ambiguous.three_public.control.vehicle_total"] == "warn"
    assert not [k for k, v in statuses.items() if v == "fail"], statuses
