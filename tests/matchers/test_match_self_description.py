"""Words a profile's description says of the organisation itself ("a training company of
Poznań, 16 people", "a security firm of Sofia with 48 employees", "a social enterprise
founded in 2009") are no evidence of what it wants: in a notice they stand beside any trade
("firma", "employees", "staff", "experience"). A description word counts alone only when it
meets the profile's trade (its capabilities, its keywords, the CPV labels of its codes in
the notice's language); otherwise only beside one of those (`matchers.text.trade_terms`)."""

from __future__ import annotations

from dataclasses import replace

from matchers.index import OpportunityIndex
from matchers.ranking import exhaustive_top, top_matches
from matchers.score import prepare_org, score
from matchers.text import org_query

POLISH = {
    "language": "pl",
    "capabilities": "Szkolenia i kursy dla pracowników administracji publicznej, szkolenia online.",
    "keywords": ("szkolenia", "kursy"),
    "cpv": ("80500000",),
    "description": "Firma szkoleniowa z Poznania, 16 osób i sieć trenerów w całym kraju.",
    "regions": (),
    "countries": ("PL",),
}
BULGARIAN = {
    "language": "bg",
    "capabilities": "Физическа охрана на обекти, сигнално-охранителна техника.",
    "keywords": ("физическа охрана",),
    "cpv": ("79710000",),
    "description": "Охранителна фирма от София с 48 служители. Работим за общини и фирми.",
    "regions": (),
    "countries": ("BG",),
}
ENGLISH = {
    "language": "en",
    "capabilities": "office cleaning, window cleaning, deep cleans of schools",
    "keywords": ("office cleaning", "window cleaning"),
    "cpv": ("90910000",),
    "description": "We are a social enterprise founded in 2009: a team of 12 staff with "
    "years of experience. Company registered in Wales.",
}


def _text_evidence(match) -> str:
    return " ".join(match.criterion("text").evidence).lower()


def test_a_polish_training_firms_self_description_is_no_evidence_in_a_furniture_notice(
    make_org, make_opp, now, weights
) -> None:
    org = make_org(**POLISH)
    furniture = make_opp(
        title="Dostawa mebli biurowych",
        text="Dostawa mebli biurowych. Firma dostarczy meble w całym kraju; 16 osób.",
        language="pl",
        title_language="pl",
        cpv=("39130000",),
        regions=(),
        countries=("PL",),
    )
    match = score(furniture, org, now=now, weights=weights)
    assert "firma" not in _text_evidence(match) and "kraju" not in _text_evidence(match)
    # the rule off (`self_description = 0`), they were evidence: the fault
    off = score(furniture, org, now=now, weights=replace(weights, self_description=0.0))
    assert "'firma'" in off.criterion("text").evidence
    assert "firma" not in match.explanation.lower()
    assert match.gate is not None and match.gate.name == "relevance"
    # the same words beside a word of its trade still count
    training = make_opp(
        title="Szkolenia dla pracowników urzędu",
        text="Firma przeprowadzi szkolenia w całym kraju.",
        language="pl",
        title_language="pl",
        cpv=(),
        regions=(),
        countries=("PL",),
    )
    assert "'firma'" in score(training, org, now=now, weights=weights).criterion("text").evidence


def test_a_bulgarian_security_firms_staff_count_is_no_evidence_in_a_food_notice(
    make_org, make_opp, now, weights
) -> None:
    org = make_org(**BULGARIAN)
    food = make_opp(
        title="Доставка на хранителни продукти",
        text="Доставка на хранителни продукти от фирма с 48 служители за общини в София.",
        language="bg",
        title_language="bg",
        cpv=("15800000",),
        regions=(),
        countries=("BG",),
    )
    match = score(food, org, now=now, weights=weights)
    evidence = _text_evidence(match)
    assert not {"фирма", "служители", "общини"} & set(evidence.replace("'", " ").split())
    assert match.gate is not None and match.gate.name == "relevance"
    guarding = make_opp(
        title="Физическа охрана на сгради",
        text="Физическа охрана на сгради на общини.",
        language="bg",
        title_language="bg",
        cpv=(),
        regions=(),
        countries=("BG",),
    )
    assert "охрана" in _text_evidence(score(guarding, org, now=now, weights=weights))


def test_an_english_social_enterprises_team_and_experience_are_no_evidence(
    make_org, make_opp, now, weights
) -> None:
    org = make_org(**ENGLISH)
    query = org_query(org)
    assert {"staff", "experience", "company", "team"} <= set(query.surface.values())
    it_kit = make_opp(
        title="Supply of laptops",
        text="The company's team and staff must have years of experience in social care IT.",
        cpv=("30213100",),
    )
    match = score(it_kit, org, now=now, weights=weights)
    evidence = _text_evidence(match)
    for word in ("staff", "experience", "company", "team", "social", "enterprise", "years"):
        assert word not in evidence
    assert match.gate is not None and match.gate.name == "relevance"


def test_a_trade_word_only_the_description_holds_still_counts(
    make_org, make_opp, now, weights
) -> None:
    # 'catering' is only in the description, and in the label of the profile's code 55520000
    org = make_org(
        capabilities="school meals, packed lunches",
        keywords=("school meals",),
        cpv=("55520000",),
        description="A family kitchen in Leeds; we also do catering for events.",
    )
    events = make_opp(
        title="Catering for the annual conference",
        text="Catering for 200 guests at the annual conference.",
        cpv=(),
    )
    assert "'catering'" in score(events, org, now=now, weights=weights).criterion("text").evidence
    # a description word of no code label counts beside a word of the capabilities
    org = make_org(capabilities="school meals", keywords=(), cpv=(), description="Hot soup.")
    soup = make_opp(title="Soup for school meals", text="Hot soup with the school meals.", cpv=())
    assert "'soup'" in score(soup, org, now=now, weights=weights).criterion("text").evidence
    alone = make_opp(title="Soup kitchen", text="A soup kitchen for the homeless.", cpv=())
    assert "'soup'" not in score(alone, org, now=now, weights=weights).criterion("text").evidence


def test_a_profile_with_nothing_but_a_description_keeps_its_words(
    make_org, make_opp, now, weights
) -> None:
    org = make_org(capabilities="", keywords=(), cpv=(), description="Hot soup for schools.")
    soup = make_opp(title="Soup kitchen", text="A soup kitchen.", cpv=())
    assert "'soup'" in score(soup, org, now=now, weights=weights).criterion("text").evidence


def test_the_index_reads_self_description_as_the_reference_does(make_org, make_opp, now, weights):
    opps = [
        make_opp(id="tender:1", title="Supply of laptops", text="Our staff and team.", cpv=()),
        make_opp(id="tender:2", title="Office cleaning", text="Experienced staff.", cpv=()),
        make_opp(id="tender:3", title="Window cleaning", text="A team of cleaners.", cpv=()),
        make_opp(id="tender:4", title="Company cars", text="Years of experience.", cpv=()),
    ]
    index = OpportunityIndex(opps, weights=weights, now=now)
    org = make_org(**ENGLISH)
    found, _checked = top_matches(index, org, 10)
    assert [(m.opportunity_id, m.score) for m in found] == [
        (m.opportunity_id, m.score) for m in exhaustive_top(index, org, 10)
    ]
    assert {m.opportunity_id for m in found} == {"tender:2", "tender:3"}
    scores = index.text_scores(prepare_org(org, weights))
    assert scores[0] == 0.0 and scores[3] == 0.0


def test_a_language_never_tuned_on_reads_alike(make_org, make_opp, now, weights) -> None:
    # Portuguese: no profile of the real set is written in it; the trade comes from the
    # profile's own fields and the Portuguese CPV labels of its code
    org = make_org(
        language="pt",
        capabilities="limpeza de escritórios, limpeza de vidros",
        keywords=("limpeza de escritórios",),
        cpv=("90910000",),
        description="Empresa de Lisboa com 30 funcionários, fundada em 2005.",
        regions=(),
        countries=("PT",),
    )
    portuguese = {"language": "pt", "title_language": "pt", "regions": (), "countries": ("PT",)}
    laptops = make_opp(
        title="Fornecimento de computadores portáteis",
        text="A empresa fornecedora deve ter 30 funcionários em Lisboa.",
        cpv=("30213100",),
        **portuguese,
    )
    match = score(laptops, org, now=now, weights=weights)
    assert not match.criterion("text").evidence
    assert match.gate is not None and match.gate.name == "relevance"
    cleaning = make_opp(
        id="tender:2",
        title="Serviços de limpeza de edifícios",
        text="Limpeza de escritórios por uma empresa em Lisboa.",
        cpv=(),
        **portuguese,
    )
    evidence = score(cleaning, org, now=now, weights=weights).criterion("text").evidence
    assert "'limpeza'" in evidence and "'empresa'" in evidence  # beside its trade
