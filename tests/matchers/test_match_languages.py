"""Each text is read in its own language: its stemmer, its stop words; codes carry a profile
across languages; notices without codes get likely codes; nothing unreadable raises."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from matchers.analysis import strategy, terms
from matchers.bridge import code_words, infer_codes, label_partners, label_terms
from matchers.detect import detect, detect_many
from matchers.result import Criterion
from matchers.score import foreign_keywords, prepare_opportunity, score
from scanner.reference.stopwords import DATA_FILE, stopwords

ITALIAN = (
    "Servizi di manutenzione del verde pubblico e dei parchi comunali, con la fornitura "
    "delle attrezzature per il taglio dell'erba"
)


def test_each_language_has_its_own_analysis() -> None:
    assert strategy("it") == "snowball:italian" and strategy("en") == "snowball:english"
    assert strategy("uk") == "snowball:russian"  # measured: bench_language_strategies.py
    assert strategy("bg") == "prefix:5" and strategy(None) == "none"
    # Inflections of the notice's language are one term; its function words are none.
    assert terms("efficienza energetiche", "it") == terms("efficienza energetico", "it")
    assert not {"di", "del", "dei", "al"} & set(terms("di del dei al", "it"))
    assert terms("послуги послуга", "uk")[0] == terms("послуги послуга", "uk")[1]
    assert terms("", "it") == [] and terms(None, None) == []


def test_italian_function_words_are_never_evidence(make_org, make_opp, now, weights) -> None:
    org = make_org(
        language="it",
        capabilities="manutenzione del verde pubblico, taglio dell'erba, potatura dei parchi",
        keywords=("manutenzione del verde",),
        cpv=("77",),
    )
    opp = make_opp(title=ITALIAN, text=ITALIAN, language="it", title_language="it", cpv=())
    match = score(opp, org, now=now, weights=weights)
    text = match.criterion("text")
    assert match.passed and text.score > 0
    shown = " ".join(text.evidence) + " " + match.explanation
    for word in ("'di'", "'del'", "'dei'", "'al'", "'e'", "'con'", "'la'", "'per'"):
        assert word not in shown
    assert "'manutenzione del verde' found in title" in match.explanation


@pytest.mark.parametrize("language", sorted(json.loads(DATA_FILE.read_text())["languages"]))
def test_no_shipped_stop_word_is_ever_evidence(language, make_org, make_opp, now, weights) -> None:
    words = " ".join(sorted(stopwords(language))[:200])
    org = make_org(language=language, capabilities=words, keywords=(), cpv=(), description="")
    opp = make_opp(title=words, text=words, language=language, title_language=language, cpv=())
    match = score(opp, org, now=now, weights=weights)
    assert match.criterion("text").evidence == ()
    assert match.gate is not None and match.gate.name == "relevance"


def test_an_english_profile_meets_an_italian_notice_through_its_codes(
    make_org, make_opp, now, weights
) -> None:
    org = make_org(
        language="en",
        capabilities="custom software development and programming for councils",
        keywords=("software development",),
        cpv=("722",),
    )
    relevant = make_opp(
        id="tender:1",
        title="Affidamento del servizio di programmazione e sviluppo di software personalizzati",
        text="Sviluppo software gestionale per gli uffici comunali.",
        language="it",
        title_language="it",
        cpv=(),
    )
    unrelated = make_opp(
        id="tender:2", title=ITALIAN, text=ITALIAN, language="it", title_language="it", cpv=()
    )
    good = score(relevant, org, now=now, weights=weights)
    bad = score(unrelated, org, now=now, weights=weights)
    assert good.passed and good.criterion("text").score > 0
    assert any("programmazione" in e or "software" in e for e in good.criterion("text").evidence)
    assert not bad.passed or bad.score < good.score
    assert [w for _t, w in label_terms("722", "it")][:2] == ["programmazione", "software"]


def test_codes_are_words_and_inferred_for_a_notice_without_any(
    make_org, make_opp, now, weights
) -> None:
    assert code_words("72000000") == "IT services (72)"
    assert code_words("72", "it") == "Servizi informatici (72)"
    document = terms("Sviluppo di software personalizzati e programmazione", "it")
    surface = dict(zip(document, ["x"] * len(document), strict=False))
    guesses = infer_codes(set(document), surface, "it")
    assert guesses and guesses[0].code.startswith("722") and guesses[0].confidence >= 0.5
    assert infer_codes(set(document), surface, "uk") == ()  # no CPV labels in Ukrainian
    org = make_org(cpv=("722",), keywords=(), language="en")
    opp = make_opp(cpv=(), cpv_inferred=guesses, language="it", title_language="it")
    codes = score(opp, org, now=now, weights=weights).criterion("classification")
    assert 0 < codes.score < 1 and "no code published; likely" in codes.detail
    assert "CPV 72" not in codes.detail


def test_unknown_language_empty_text_and_odd_scripts_never_raise(
    make_org, make_opp, now, weights
) -> None:
    org = make_org()
    for opp in (
        make_opp(title="", text="", language=None, title_language=None),
        make_opp(title="Ξ 政府数据 ✓", text="\x00\ufeff", language=None, title_language="el"),
        make_opp(title="user research", text="", language="xx", title_language="xx"),
    ):
        match = score(opp, org, now=now, weights=weights)
        assert match.explanation
    empty = score(make_opp(title="", text="", cpv=()), org, now=now, weights=weights)
    assert empty.criterion("text").detail == "opportunity has no text"


def test_detection_reads_languages_and_says_when_it_cannot() -> None:
    found = detect_many(
        [
            "Servizi di manutenzione del verde pubblico e dei parchi comunali",
            "Послуги з поточного ремонту приміщень школи",  # і: Ukrainian
            "Природний газ",  # no telling letter: read among Cyrillic languages
            "Lot 2",
            None,
            "",
        ]
    )
    assert found[0] == "it" and found[1] == "uk"
    assert found[2] in ("uk", "ru", "bg")
    assert found[3:] == [None, None, None]
    assert detect("Поставка электроэнергии для нужд учреждения") == "ru"  # ы, э


def test_keywords_count_neutral_in_a_notice_in_the_language_of_a_country_you_serve(
    make_org, make_opp, now, weights
) -> None:
    """An English firm serving Ukraine: a Ukrainian notice cannot hold its English keywords,
    so their absence counts a neutral 0.5 (said in the explanation), not 0; the same notice
    for a firm that does not work in Ukraine, or with the rule off, counts 0."""
    org = make_org(regions=("UKI", "UA"), countries=("GB", "UA"), cpv=("7221",))
    notice = make_opp(
        title="Розроблення програмного забезпечення",
        text="Послуги з розроблення програмного забезпечення для міської ради.",
        language="uk", title_language="uk", regions=("UA-46",), countries=("UA",),
    )  # fmt: skip
    match = score(notice, org, now=now, weights=weights)
    keywords = match.criterion("keywords")
    assert keywords.score == 0.5
    assert "written in Ukrainian, which cannot hold your keywords" in keywords.detail
    assert "keywords count a neutral 0.5" in match.explanation
    home = make_org(regions=("UKI",), countries=("GB",), cpv=("7221",), remote=True)
    assert score(notice, home, now=now, weights=weights).criterion("keywords").score == 0.0
    off = replace(weights, foreign_keywords=0.0)
    assert score(notice, org, now=now, weights=off).criterion("keywords").score == 0.0
    assert score(notice, org, now=now, weights=off).score < match.score
    # neutral is no evidence: without codes or words in common the notice is still ruled out
    bare = score(replace(notice, cpv=()), replace(org, cpv=()), now=now, weights=weights)
    assert bare.gate is not None and bare.gate.name == "relevance"
    # an English notice for the same firm reads its keywords as before
    own = score(make_opp(), org, now=now, weights=weights).criterion("keywords")
    assert own.score == 1.0 and "neutral" not in own.detail


def test_a_notice_in_a_language_without_cpv_labels_is_read_through_its_codes(
    make_org, make_opp, now, weights
) -> None:
    """A Polish distributor cannot read a Ukrainian notice (CPV has no Ukrainian labels, so
    the bridge cannot carry its words there), but the notice's codes can be read in Polish:
    the label of 33141200 is "Cewniki", which the profile sells; the generic class "Materiały
    medyczne" names only its broad words, and a code it does not name gives nothing."""
    org = make_org(
        language="pl", capabilities="Cewniki, strzykawki, nici chirurgiczne", description="",
        keywords=("cewniki",), cpv=("3314",), regions=("PL", "UA"), countries=("PL", "UA"),
    )  # fmt: skip
    notice = make_opp(
        title="Катетер внутрішньовенний 22G", text="Катетер внутрішньовенний з портом",
        language="uk", title_language="uk", parent_language="uk",
        cpv=("33141200",), regions=("UA-46",), countries=("UA",),
    )  # fmt: skip
    match = score(notice, org, now=now, weights=weights)
    text = match.criterion("text")
    assert text.score > 0 and text.detail == "its codes, read in your language, name 'cewniki'"
    other = score(replace(notice, cpv=("33141600",)), org, now=now, weights=weights)
    assert other.criterion("text").score == 0 and match.score > other.score
    # an Italian notice has labels to carry the profile's words into: read as before
    italian = replace(notice, language="it", title_language="it", parent_language="it")
    assert "its codes" not in score(italian, org, now=now, weights=weights).criterion("text").detail
    # a Ukrainian profile reads the Ukrainian notice in its own words, never through codes
    own = replace(org, language="uk", capabilities="катетери", keywords=())
    assert "its codes" not in score(notice, own, now=now, weights=weights).criterion("text").detail


def test_a_declared_language_is_taken_unless_the_words_rule_it_out() -> None:
    """Short real titles the model misreads take the notice's declared language; where the
    words rule the declaration out (a Catalan title in a Spanish notice, English text in a
    German one) the model's reading stands; letters only one language has always decide."""
    misread = {
        "Бензин, Дизельне паливо": "uk",  # Prozorro titles: read as Russian or Bulgarian
        "Медикаменти": "uk",
        "Supply of laptops and monitors": "en",  # read as Danish
        "Contrato de servicios consistente en vigilancia y salvamento en playas": "es",
    }
    for text, declared in misread.items():
        assert detect(text) != declared, text  # the model alone errs ...
        assert detect(text, declared) == declared, text  # ... the declaration corrects it
    catalan = "CONCESSIÓ PER A LA GESTIÓ I EXPLOTACIÓ DELS CAMPS DE FUTBOL DEL DISTRICTE"
    assert detect(catalan, "es") == "ca"
    english = "Qualification system for the production and delivery of latticed steel towers"
    assert detect(english, "de") == "en"
    assert detect("Ремонт приміщення школи", "ru") == "uk"  # і: Ukrainian, whatever is declared
    # Too short or too mixed to read: the declaration, not "undetermined".
    assert detect("МНН: Omeprazole") is None and detect("МНН: Omeprazole", "uk") == "uk"
    assert detect_many(["Медикаменти", "Медикаменти"], ["uk", None]) == [
        "uk",
        detect("Медикаменти"),
    ]


def test_roman_numerals_in_cyrillic_capitals_are_not_ukrainian_letters() -> None:
    """Bulgarian notices type Roman numerals with the Cyrillic capital І ("от І до VІІ
    клас"): a numeral is not the Ukrainian letter і, so the text is not Ukrainian by rule."""
    lunches = "Доставка на обедно хранене на учениците от І до VІІ клас в средищните училища"
    assert detect(lunches) == "bg" and detect(lunches, "bg") == "bg"
    assert detect("Ремонт приміщення школи") == "uk"  # the letter in a word still decides
    assert detect("Інструменти та обладнання") == "uk"


def test_web_and_mail_addresses_are_never_evidence(make_org, make_opp, now, weights) -> None:
    org = make_org(language="de", capabilities="Portal, Website", keywords=("Portal",), cpv=())
    text = (
        "Unterhaltsreinigung. Unterlagen: https://bieter.deutschebahn.com/portal/ oder "
        "www.evergabe-online.de/portal, Fragen an portal@stadt-wuerzburg.de, siehe auch "
        "vergabe.portal.de."
    )
    opp = make_opp(title="Reinigung", text=text, language="de", title_language="de", cpv=())
    match = score(opp, org, now=now, weights=weights)
    assert "portal" not in match.explanation.lower()
    assert match.gate is not None and match.gate.name == "relevance"
    # Names with a dot that are no addresses stay words, in any language.
    assert terms("ASP.NET, Node.js, z.B. Ende.Die", "de") == terms(
        "ASP NET Node js z B Ende Die", "de"
    )
    assert "portal" in terms("Ein Portal. Die Seite", "de")


def test_a_word_of_code_labels_carried_across_counts_only_beside_another(
    make_org, make_opp, now, weights
) -> None:
    # 71400000, in Polish "... planowania przestrzennego i zagospodarowania terenu": alone,
    # "zagospodarowanie" is as much waste management as spatial planning
    org = make_org(
        language="en",
        capabilities="architectural competitions and urban design",
        keywords=("urban design",),
        cpv=("71400000",),
        regions=(),
        countries=("PL",),
    )
    polish = {"language": "pl", "title_language": "pl", "cpv": (), "regions": ()}
    waste = make_opp(
        id="tender:1",
        title="Odbiór i zagospodarowanie odpadów komunalnych",
        text="Odbiór i zagospodarowanie odpadów komunalnych z nieruchomości w gminie.",
        **polish,
    )
    planning = make_opp(
        id="tender:2",
        title="Konkurs na koncepcję zagospodarowania przestrzennego",
        text="Konkurs na koncepcję zagospodarowania przestrzennego nabrzeża.",
        **polish,
    )
    lone = score(waste, org, now=now, weights=weights)
    assert not any("zagospodarowan" in e for e in lone.criterion("text").evidence)
    assert "zagospodarowan" not in lone.explanation
    beside = score(planning, org, now=now, weights=weights).criterion("text").evidence
    assert "'zagospodarowania'" in beside and "'przestrzennego'" in beside
    # a word a label holds alone ("Cewniki", catheters) still counts alone
    partners = label_partners("33141200", "pl")
    assert dict(label_terms("33141200", "pl")) and not partners.get("cewnik")
    assert "zagospodarowan" in label_partners("71400000", "pl")


def test_a_foreign_notice_counts_neutral_keywords_only_when_its_text_or_codes_meet_the_trade(
    make_org, make_opp, now, weights
) -> None:
    """A French-writing Belgian trainer and Dutch notices (Belgium's other language): a Dutch
    notice cannot hold its French keywords, but that is reason to count them neutral only when
    something else in it meets the trade. Codes sharing only a group with the profile's
    (events, 79952, against coaching, 79998) and no word through the CPV labels: its keywords
    count 0, said so; a code inside the profile's interests, or its training words met
    through the Dutch CPV labels, keep the neutral 0.5, said with what met."""
    org = make_org(
        language="fr", description="", keywords=("formation professionnelle", "coaching"),
        capabilities="Formation professionnelle et coaching des cadres",
        cpv=("8053", "79998"), regions=("BE",), countries=("BE",),
    )  # fmt: skip
    dutch = {"language": "nl", "title_language": "nl", "parent_language": "nl"}
    party = make_opp(
        title="Organisatie van een personeelsfeest", text="Organisatie van het jaarlijkse feest.",
        cpv=("79952000",), regions=("BE2",), countries=("BE",), **dutch,
    )  # fmt: skip
    match = score(party, org, now=now, weights=weights)
    keywords = match.criterion("keywords")
    assert match.passed and keywords.score == 0.0
    assert (
        "written in Dutch, a language you do not write, and neither its words read through "
        "CPV labels nor its codes meet your trade: keywords not counted"
    ) in match.explanation
    coached = score(replace(party, cpv=("79998000",)), org, now=now, weights=weights)
    assert coached.criterion("keywords").score == 0.5
    assert (
        "written in Dutch, which cannot hold your keywords; its codes meet your interests: "
        "keywords count a neutral 0.5"
    ) in coached.explanation
    trained = replace(
        party,
        title="Managementopleiding en computercursussen voor leidinggevenden",
        text="Beroepsopleidingsdiensten: managementopleiding en computercursussen.",
    )
    taught = score(trained, org, now=now, weights=weights)
    assert taught.criterion("text").score > 0
    assert taught.criterion("keywords").score == 0.5
    assert (
        "written in Dutch, which cannot hold your keywords; your trade met through CPV labels "
        "and shared words: '"
    ) in taught.explanation
    # 0 restores the neutral for every notice in a served language (the rule before)
    always = replace(weights, foreign_min_codes=0.0)
    assert score(party, org, now=now, weights=always).criterion("keywords").score == 0.5
    # a French notice for the same profile reads its keywords as written
    french = replace(party, language="fr", title_language="fr", parent_language="fr")
    assert "written in" not in score(french, org, now=now, weights=weights).explanation


def test_partly_found_keywords_of_a_foreign_notice_without_evidence_count_as_found(
    make_opp, weights
) -> None:
    """One keyword of five found in a Catalan notice nothing else meets: 0.2 counts, not the
    neutral 0.5, and the detail says only what was found counts."""
    notice = prepare_opportunity(
        make_opp(title="Servei de cafeteria", language="ca", title_language="ca")
    )
    found = Criterion("keywords", 0.2, 0.2, "1 of 5 keywords: 'cafetería' in title")
    counted = foreign_keywords(found, True, notice, weights, None)
    assert counted.score == 0.2
    assert counted.detail.endswith(
        "written in Catalan, a language you do not write, and neither its words read through "
        "CPV labels nor its codes meet your trade: only what was found counts"
    )
    kept = foreign_keywords(found, True, notice, weights, "its codes meet your interests")
    assert kept.score == 0.5 and kept.detail.endswith(
        "written in Catalan, which cannot hold your keywords; its codes meet your interests: "
        "keywords count a neutral 0.5"
    )
