"""The second reader of the real-data labels: its file is well formed, and the agreement figures
(kappa, weighted kappa, binary cuts, re-weighting, corrections undone) match cases worked out by
hand."""

from __future__ import annotations

import importlib.util
import tomllib
from collections import Counter
from typing import Any

import pytest

from scanner.evaluation.agreement import GradedPair, agreement, cohen_kappa, confusion_matrix
from scanner.evaluation.ranking import LabelSet, load_labels, parse_labels
from scanner.evaluation.real_corpus import RealCorpus
from scanner.evaluation.second_reading import (
    Entry,
    SecondReaderError,
    compare,
    draw_sample,
    first_reading,
    format_comparison,
    load_second_reader,
    parse_second_reader,
    render_second_reader,
)
from scanner.services.evaluation_real import REAL_LABELS, REAL_PROFILES

SECOND = REAL_LABELS.parent / "second_reader.toml"


def _profile_ids() -> list[str]:
    return [p["id"] for p in tomllib.loads(REAL_PROFILES.read_text("utf-8"))["organisation"]]


# -- the real file ------------------------------------------------------------------------------


# Profiles added after the second reader's sample was drawn (the Italian group): read again in a
# sample of their own, second_reader_it.toml (README.md, "Second reader, Italian group").
NOT_SECOND_READ = {
    "it-approdo-coop",
    "it-girasole-servizi",
    "it-studio-tagliamento",
    "it-ricambi-tevere",
    "it-ristoro-dolomiti",
    "it-medicalis-sud",
}
# The French and Spanish groups (README, "The French group", "The Spanish group"): read again in
# samples of their own, second_reader_fr.toml and second_reader_es.toml (README, "Second reader,
# French and Spanish groups"); the German group (README, "The German group") likewise in
# second_reader_de.toml (README, "Second reader, German group"), the Polish group (README,
# "The Polish group") in second_reader_pl.toml (README, "Second reader, Polish group"), the
# Bulgarian group (README, "The Bulgarian group") in second_reader_bg.toml (README, "Second
# reader, Bulgarian group"), and the Czech group (README, "The Czech group") in
# second_reader_cs.toml (README, "Second reader, Czech group"), the Greek group (README, "The
# Greek group") in second_reader_el.toml (README, "Second reader, Greek group"), the Dutch group
# (README, "The Dutch group") in second_reader_nl.toml (README, "Second reader, Dutch group"),
# the Hungarian group (README, "The Hungarian group") in second_reader_hu.toml (README, "Second
# reader, Hungarian group"), and the Italian group's six profiles of session 27 in
# second_reader_it2.toml (README, "Second reader, Italian group (six profiles added in session
# 27)"), and the Romanian group (README, "The Romanian group") in second_reader_ro.toml (README,
# "Second reader, Romanian group"), and the Slovak group (README, "The Slovak group") in
# second_reader_sk.toml (README, "Second reader, Slovak group"), and the Finnish group (README,
# "The Finnish group") in second_reader_fi.toml (README, "Second reader, Finnish group"), and the
# Danish, Estonian, Swedish and Portuguese groups in second_reader_da.toml, second_reader_et.toml,
# second_reader_sv.toml and second_reader_pt.toml (README, "Second reader, Danish group" and so
# on), and the Slovenian and Lithuanian groups in second_reader_sl.toml and second_reader_lt.toml
# (README, "Second reader, Slovenian group" and "Second reader, Lithuanian group"), and the
# Croatian and Latvian groups in second_reader_hr.toml and second_reader_lv.toml (README,
# "Second reader, Croatian and Latvian groups").
FRENCH_GROUP = frozenset(
    {
        *("fr-tremplin-formation", "fr-verdure-insertion", "fr-petits-pas-creches"),
        *("fr-octet-civique", "fr-aquaterra-etudes", "fr-saveurs-solidaires"),
        *("be-atelier-competences", "fr-lenoir-avocats", "be-brightside-digital"),
        "lu-meridian-research",
    }
)
SPANISH_GROUP = frozenset(
    {
        *("es-huerta-viva", "es-guardia-levante", "es-cocina-comun"),
        *("es-lexpublica-malaga", "es-taller-arquitectura", "es-tramas-socioculturales"),
    }
)
GERMAN_GROUP = frozenset(
    {
        *("de-offene-datenwerkstatt", "de-ruhr-teilhabe", "de-mainfranken-inklusiv"),
        *("de-barnim-naturwerk", "de-kiezkueche-berlin", "at-lindengasse-digital"),
    }
)
POLISH_GROUP = frozenset(
    {
        *("pl-straznik-ochrona", "pl-pracownia-forma", "pl-medpraca-lodz"),
        *("pl-akademia-kompetencji", "pl-lubbud", "cz-vltava-architects"),
    }
)
BULGARIAN_GROUP = frozenset(
    {
        *("bg-trapeza-zagora", "bg-shtit-ohrana", "bg-studio-tepe", "bg-rodopa-les"),
        *("bg-volteks-ruse", "gr-axios-powerservice"),
    }
)
CZECH_GROUP = frozenset(
    {
        *("cz-atelier-spilberk", "cz-krajina-zahrada", "cz-poliklinika-ostrava"),
        *("cz-ostraha-vysehrad", "cz-most-krkonose", "cz-labline-instruments"),
    }
)
# The Czech second reading also read cz-vltava-architects' labels of Czech contests (a Polish-group
# profile, English-writing, that wants Czech competitions too; README, "The Czech group").
CZECH_SECOND_READ = CZECH_GROUP | {"cz-vltava-architects"}
# The Greek group (README, "The Greek group"), read again in second_reader_el.toml.
GREEK_GROUP = frozenset(
    {
        *("gr-ydrotechniki-thess", "gr-stoa-architects", "gr-tilemetria-larisa"),
        *("gr-lampsi-katharismoi", "cy-kylikeia-larnaka", "cy-meridian-engineering"),
    }
)
# The Dutch group (README, "The Dutch group"), read again in second_reader_nl.toml.
DUTCH_GROUP = frozenset(
    {
        *("be-groenwerk-limburg", "be-horeca-brugge", "nl-arbo-kennemerland"),
        *("be-bewaking-schelde", "nl-praktijk-noordkop", "nl-delta-infra-research"),
    }
)
# The Hungarian group (README, "The Hungarian group"): read again in second_reader_hu.toml.
HUNGARIAN_GROUP = frozenset(
    {
        *("hu-orszem-vagyonvedelem", "hu-tiszavill-halozatepito", "hu-borsodterv-mernokiroda"),
        *("hu-hajdu-menza", "hu-varosterv-epitesz", "hu-signalwave-systems"),
    }
)
# The Italian group's second round (README, "The Italian group", 7 December 2026): read again in
# second_reader_it2.toml.
ITALIAN_SECOND_ROUND = frozenset(
    {
        *("it-terraferma-coop", "it-meccanica-verbano", "it-idrometrica-felsinea"),
        *("it-tricolore-promotion", "it-edilclima-apuana", "it-ecoinerti-monferrato"),
    }
)
# The Finnish group (README, "The Finnish group"): read again in second_reader_fi.toml.
FINNISH_GROUP = frozenset(
    {
        *("fi-ratakonsultit-tampere", "fi-lakeuden-konetyo", "fi-karjalan-lapsiterapia"),
        *("fi-hameen-valmennuskeskus", "fi-lapin-turvapalvelu", "fi-northbyte-helsinki"),
    }
)
# The Romanian group (README, "The Romanian group"): read again in second_reader_ro.toml.
ROMANIAN_GROUP = frozenset(
    {
        *("ro-dobrogea-paza", "ro-casa-sperantei-alba", "ro-atelier-forma-cluj"),
        *("ro-oltenia-print-mail", "ro-skyroute-aero"),
    }
)
# The Slovak group (README, "The Slovak group"): read again in second_reader_sk.toml (all 36 of its
# labels of gathered Slovak notices).
SLOVAK_GROUP = frozenset(
    {
        *("sk-atelier-fatra", "sk-stavby-povazie", "sk-potraviny-hron"),
        *("sk-energokomponent-kosice", "sk-etiketa-nitra", "sk-danube-railparts"),
    }
)
# The Danish group (README, "The Danish group"): read again in second_reader_da.toml (all 57 of its
# labels of gathered Danish notices).
DANISH_GROUP = frozenset(
    {
        *("dk-koege-kantinekoekken", "dk-jobbroen-fredericia", "dk-tegnestuen-limfjord"),
        *("dk-nordvikar-sundhed", "dk-vestsjaellands-ledningsarbejde", "dk-hygge-medsupply"),
    }
)
# The Estonian group (README, "The Estonian group"): read again in second_reader_et.toml (all 47 of
# its labels of gathered Estonian notices).
ESTONIAN_GROUP = frozenset(
    {
        *("ee-ruumilabor-arhitektid", "ee-pajaroog-toitlustus", "ee-vahur-turvateenused"),
        *("ee-keelesild-mtu", "ee-andmetark", "ee-baltic-process-chemicals"),
    }
)
# The Swedish group (README, "The Swedish group"): read again in second_reader_sv.toml (all 27 of
# its labels of gathered Swedish notices).
SWEDISH_GROUP = frozenset(
    {
        *("se-malarmark-skotsel", "se-fyris-natverk", "se-kattegatt-itpartner"),
        *("se-vanerbatar-karlstad", "se-roslagen-marinstal", "se-nordic-transformer"),
    }
)
# The Portuguese group (README, "The Portuguese group"): read again in second_reader_pt.toml (all
# 47 of its labels of gathered Portuguese notices; README, "Second reader, Portuguese group").
PORTUGUESE_GROUP = frozenset(
    {
        *("pt-atelier-ribeira", "pt-codigo-atlantico", "pt-moveis-tamega", "pt-sabores-sado"),
        *("pt-medica-tejo", "pt-redes-funchal", "pt-gateway-atlantic"),
    }
)
# The Slovenian group (README, "The Slovenian group"): read again in second_reader_sl.toml (all 21
# of its labels of gathered Slovenian notices; README, "Second reader, Slovenian group").
SLOVENIAN_GROUP = frozenset(
    {
        *("si-atelje-soca", "si-krajinska-delavnica", "si-obala-gradnje"),
        *("si-ambulanta-gorica", "si-kaliber-trgovina", "si-adriatic-subsea"),
    }
)
# The Lithuanian group (README, "The Lithuanian group"): read again in second_reader_lt.toml (all
# 31 of its labels of gathered Lithuanian notices; README, "Second reader, Lithuanian group").
LITHUANIAN_GROUP = frozenset(
    {
        *("lt-mariu-architektai", "lt-begiu-projektai", "lt-renginiu-fabrikas"),
        *("lt-strategijos-partneriai", "lt-kauno-komponentai", "lt-baltic-bus-partners"),
    }
)
# The Croatian group (README, "The Croatian group"): read again in second_reader_hr.toml (both of
# its labels of gathered Croatian notices; README, "Second reader, Croatian and Latvian groups").
CROATIAN_GROUP = frozenset(
    {
        *("hr-zadruga-marjan", "hr-jadranski-okusi", "hr-kvarner-hidrogradnja"),
        *("hr-atelje-susak", "hr-adriatic-tactical"),
    }
)
# The Latvian group (README, "The Latvian group"): read again in second_reader_lv.toml (all 3 of its
# labels of gathered Latvian notices; README, "Second reader, Croatian and Latvian groups").
LATVIAN_GROUP = frozenset(
    {
        *("lv-skolas-galds", "lv-drosibas-sistemas", "lv-kurzemes-apsardze"),
        "lv-baltic-grid-supply",
    }
)
# written after the first sample was drawn
SECOND_READ_LATER = (
    ITALIAN_SECOND_ROUND
    | FRENCH_GROUP
    | SPANISH_GROUP
    | GERMAN_GROUP
    | POLISH_GROUP
    | BULGARIAN_GROUP
    | CZECH_GROUP
    | GREEK_GROUP
    | DUTCH_GROUP
    | HUNGARIAN_GROUP
    | FINNISH_GROUP
    | ROMANIAN_GROUP
    | SLOVAK_GROUP
    | DANISH_GROUP
    | ESTONIAN_GROUP
    | SWEDISH_GROUP
    | PORTUGUESE_GROUP
    | SLOVENIAN_GROUP
    | LITHUANIAN_GROUP
    | CROATIAN_GROUP
    | LATVIAN_GROUP
)


def test_second_reader_file_is_graded_and_well_formed() -> None:
    profiles = _profile_ids()
    header, entries = load_second_reader(SECOND, profiles, graded=True)  # raises when malformed
    labels = load_labels(REAL_LABELS, known_profiles=set(profiles))
    assert header["size"] == len(entries) >= 250
    # every profile represented, but those written after the sample was drawn (read in their own)
    assert {e.profile for e in entries} == set(profiles) - NOT_SECOND_READ - SECOND_READ_LATER
    first = {}
    for e in entries:
        assert e.tender in labels.profiles[e.profile], (e.n, "not a labelled pair")
        assert e.grade in (0, 1, 2)
        assert e.grade == 0 or e.reason.strip(), (e.n, "a grade of 1 or 2 needs a reason")
        first[e.n] = first_reading(labels.profiles[e.profile][e.tender])[0]
    strata = Counter(first.values())
    assert min(strata[g] for g in (0, 1, 2)) >= len(entries) // 4  # every grade well represented
    for e in entries:  # a verdict with a note on every disagreement, and only there
        assert (e.verdict is not None) == (first[e.n] != e.grade), e.n
        assert e.verdict is None or e.note.strip(), e.n


def test_second_reader_items_are_real_corpus_notices(real_corpus: RealCorpus) -> None:
    load_second_reader(SECOND, _profile_ids(), set(real_corpus.items), graded=True)


def test_labels_corrected_by_the_second_reader_keep_the_first_reading() -> None:
    labels = load_labels(REAL_LABELS)
    corrected = [
        label
        for graded in labels.profiles.values()
        for label in graded.values()
        if label.reason.startswith("second reader")
    ]
    assert corrected, "README lists the corrections"
    for label in corrected:
        was, _ = first_reading(label)
        assert was != label.grade, label.tender


# -- agreement figures by hand ------------------------------------------------------------------

# first -> second: 0->0 x3, 0->1, 1->1 x2, 1->2, 2->2 x2, 2->0 (ten pairs)
HAND = [(0, 0)] * 3 + [(0, 1)] + [(1, 1)] * 2 + [(1, 2)] + [(2, 2)] * 2 + [(2, 0)]


def test_kappa_and_linear_weighted_kappa_on_a_case_worked_by_hand() -> None:
    result = agreement(GradedPair(f, s) for f, s in HAND)
    assert result.matrix == ((3, 1, 0), (0, 2, 1), (1, 0, 2))
    assert result.exact == pytest.approx(0.7)
    # marginals 0.4/0.3/0.3 both ways: chance agreement 0.16 + 0.09 + 0.09 = 0.34
    assert result.kappa == pytest.approx((0.7 - 0.34) / (1 - 0.34))  # 6/11
    # disagreement costs |i-j|/2: observed (0.5 + 0.5 + 1) / 10 = 0.2; expected
    # 0.5 * (0.12 + 0.12 + 0.09 + 0.09) + 1 * (0.12 + 0.12) = 0.45
    assert result.weighted_kappa == pytest.approx(1 - 0.2 / 0.45)  # 5/9
    # relevant (2) vs not: [[6, 1], [1, 2]]; chance 0.7^2 + 0.3^2 = 0.58
    assert result.relevant_agreement == pytest.approx(0.8)
    assert result.relevant_kappa == pytest.approx((0.8 - 0.58) / 0.42)  # 11/21
    # 1-2 vs 0: [[3, 1], [1, 5]]; chance 0.4^2 + 0.6^2 = 0.52
    assert result.any_kappa == pytest.approx((0.8 - 0.52) / 0.48)  # 7/12


def test_kappa_edge_cases() -> None:
    perfect = agreement(GradedPair(g, g) for g in (0, 1, 2, 2))
    assert perfect.kappa == pytest.approx(1) and perfect.weighted_kappa == pytest.approx(1)
    assert cohen_kappa([[4, 0, 0], [0, 0, 0], [0, 0, 0]]) is None  # one grade only: undefined
    assert cohen_kappa([[0, 0], [0, 0]]) is None
    opposite = cohen_kappa([[0, 5], [5, 0]])
    assert opposite == pytest.approx(-1)
    with pytest.raises(ValueError, match="grade outside"):
        confusion_matrix([GradedPair(3, 0)])
    with pytest.raises(ValueError, match="square"):
        cohen_kappa([[1, 2]])


def _tiny_labels() -> LabelSet:
    """Profile p: a 2, b 1, c/d/e/f 0, g first 0 then corrected to 1; profile q: h 2, i 0."""
    corrected = "second reader (was 0 -> 1): fits after all; first reader: other work"
    return parse_labels(
        {
            "profile": [
                {
                    "id": "p",
                    "labels": [
                        {"tender": "a", "grade": 2, "reason": "fits"},
                        {"tender": "b", "grade": 1, "reason": "adjacent"},
                        *({"tender": key, "grade": 0} for key in "cdef"),
                        {"tender": "g", "grade": 1, "reason": corrected},
                    ],
                },
                {
                    "id": "q",
                    "labels": [
                        {"tender": "h", "grade": 2, "reason": "fits"},
                        {"tender": "i", "grade": 0},
                    ],
                },
            ]
        }
    )


def test_agree_compares_with_the_first_reading_and_reweights_by_stratum() -> None:
    labels = _tiny_labels()
    entries = [
        Entry(1, "p", "a", grade=2, reason="fits"),
        Entry(2, "p", "b", grade=0),
        Entry(3, "p", "c", grade=0),
        Entry(4, "p", "g", grade=1, reason="fits"),
    ]
    result = compare(entries, labels, {"group p": ["p"], "group q": ["q"]})
    # first readings a2 b1 c0 g0 (g's correction undone) against 2 0 0 1
    assert result.overall.matrix == ((1, 1, 0), (1, 0, 0), (0, 0, 1))
    assert result.overall.exact == pytest.approx(0.5)
    # marginals 0.5/0.25/0.25 both ways: chance 0.375, kappa (0.5 - 0.375) / 0.625
    assert result.overall.kappa == pytest.approx(0.2)
    # weights: p's first-0 cell has 5 labels (c d e f g), 2 sampled -> 2.5 each; others 1
    assert result.reweighted.exact == pytest.approx((1 + 2.5) / 7)
    assert [(e.tender, first) for e, first, _ in result.disagreements] == [("b", 1), ("g", 0)]
    assert result.disagreements[1][2] == "other work"  # the first reader's own reason
    assert result.corrections == 1 and result.corrected.exact == pytest.approx(0.75)
    assert set(result.groups) == {"group p"}  # no sampled pair for q
    assert result.by_first_grade[0] == Counter({0: 1, 1: 1})
    text = format_comparison(result, disagreements=True)
    assert "kappa 0.20" in text and "first 0: other work" in text


def test_agree_refuses_ungraded_or_unlabelled_pairs() -> None:
    labels = _tiny_labels()
    with pytest.raises(SecondReaderError, match="not graded"):
        compare([Entry(1, "p", "a")], labels)
    with pytest.raises(SecondReaderError, match="not in labels"):
        compare([Entry(1, "q", "a", grade=0)], labels)


# -- the file format and the sample ------------------------------------------------------------


def test_malformed_second_reader_file_names_every_problem() -> None:
    data = tomllib.loads(
        """
        [[pair]]
        n = 1
        profile = "p"
        tender = "a"
        grade = 3
        [[pair]]
        n = 2
        profile = "x"
        tender = "b"
        grade = 1
        [[pair]]
        n = 3
        profile = "p"
        tender = "c"
        verdict = "maybe"
        [[pair]]
        n = 4
        profile = "p"
        tender = "c"
        colour = "red"
        """
    )
    with pytest.raises(SecondReaderError) as error:
        parse_second_reader(data, known_profiles={"p"}, known_tenders={"a", "b", "c"}, graded=True)
    problems = "\n".join(error.value.problems)
    for expected in (
        "grade must be 0, 1 or 2",
        "unknown profile 'x'",
        "grade 1 needs a reason",
        "verdict must be one of",
        "sampled twice",
        "unknown field(s) colour",
        "not graded yet",
    ):
        assert expected in problems


def test_sample_is_stratified_blind_and_reproducible() -> None:
    labels = _tiny_labels()
    pairs = draw_sample(labels, ["p", "q"], size=6, seed="s")
    assert pairs == draw_sample(labels, ["p", "q"], size=6, seed="s")
    first = {(p, k): first_reading(labels.profiles[p][k])[0] for p, k in pairs}
    assert Counter(first.values()) == Counter({0: 2, 2: 2, 1: 1})  # only one first-1 label
    assert {p for p, _ in pairs} == {"p", "q"}
    assert ("q", "h") in pairs and ("q", "i") in pairs  # round-robin reaches every profile
    text = render_second_reader(
        {"seed": "s"}, [Entry(n, p, k) for n, (p, k) in enumerate(pairs, 1)]
    )
    fields = {line.split(" = ")[0] for line in text.splitlines() if " = " in line}
    assert fields == {"seed", "n", "profile", "tender", "title"}  # no grade, reason or via
    _, entries = parse_second_reader(tomllib.loads(text))
    assert [(e.profile, e.tender) for e in entries] == pairs


# -- the Italian group's second reading ---------------------------------------------------------

SECOND_IT = REAL_LABELS.parent / "second_reader_it.toml"
LARIANA_ITALIAN = ("it-lariana-data", "gathered-it/")  # its labels of Italian notices only


def test_italian_second_reader_file_is_graded_and_well_formed() -> None:
    """second_reader_it.toml: the six Italian profiles and it-lariana-data's Italian notices, every
    first-reader 2 and 1 there sampled (fewer than a third each), the rest 0s; a verdict with a
    note on every disagreement and only there."""
    header, entries = load_second_reader(SECOND_IT, _profile_ids(), graded=True)
    labels = load_labels(REAL_LABELS, known_profiles=set(_profile_ids()))
    assert header["size"] == len(entries) >= 50
    assert {e.profile for e in entries} == NOT_SECOND_READ | {LARIANA_ITALIAN[0]}
    first = {}
    for e in entries:
        assert e.tender in labels.profiles[e.profile], (e.n, "not a labelled pair")
        assert e.profile != LARIANA_ITALIAN[0] or e.tender.startswith(LARIANA_ITALIAN[1]), e.n
        assert e.grade == 0 or e.reason.strip(), (e.n, "a grade of 1 or 2 needs a reason")
        first[(e.profile, e.tender)] = first_reading(labels.profiles[e.profile][e.tender])[0]
        assert (e.verdict is not None) == (first[(e.profile, e.tender)] != e.grade), e.n
        assert e.verdict is None or e.note.strip(), e.n
    population = {
        (profile, key): first_reading(label)[0]
        for profile, graded in labels.profiles.items()
        if profile in NOT_SECOND_READ or profile == LARIANA_ITALIAN[0]
        for key, label in graded.items()
        if profile != LARIANA_ITALIAN[0] or key.startswith(LARIANA_ITALIAN[1])
    }
    for grade in (1, 2):  # scarce grades: all of them sampled
        assert {pair for pair, g in population.items() if g == grade} <= set(first), grade
    zeros = Counter(population.values())[0]
    assert Counter(first.values())[0] >= min(len(entries) // 3, zeros)


def _second_reader_script() -> Any:
    path = REAL_LABELS.parent / "second_reader.py"
    spec = importlib.util.spec_from_file_location("second_reader_script", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sample_restricted_to_profiles_and_filled_when_a_grade_is_scarce() -> None:
    script = _second_reader_script()
    labels = _tiny_labels()
    only_p, order = script.restrict(labels, ["p", "q"], ["p"])
    assert order == ["p"] and set(only_p.profiles) == {"p"}
    prefixed, _ = script.restrict(labels, ["p", "q"], ["p:c", "q"])
    assert set(prefixed.profiles["p"]) == {"c"} and set(prefixed.profiles["q"]) == {"h", "i"}
    with pytest.raises(ValueError, match="no labels"):
        script.restrict(labels, ["p", "q"], ["x"])
    # quotas 2/2/2 find only one first-1 label (b): the 0s make up the shortfall
    assert len(draw_sample(labels, ["p", "q"], 6, "s")) == 5
    pairs = script.draw_filled(labels, ["p", "q"], 6, "s")
    assert len(pairs) == 6 and ("p", "b") in pairs
    assert script.draw_filled(labels, ["p", "q"], 6, "s") == pairs  # reproducible
    assert script.draw_filled(labels, ["p", "q"], 50, "s") == draw_sample(
        labels, ["p", "q"], 50, "s"
    )
    # with no grade scarce it is draw_sample itself (the first sample's behaviour)
    big = _tiny_labels()
    assert script.draw_filled(big, ["p"], 3, "t") == draw_sample(big, ["p"], 3, "t")


def test_agree_reweights_to_the_labels_the_sample_was_drawn_from() -> None:
    """`agree --profile p:PREFIX` restricts the population as `sample` did: a sampled pair stands
    for the labels of its cell under the prefix only, not for the profile's other labels."""
    script = _second_reader_script()
    labels = parse_labels(
        {
            "profile": [
                {
                    "id": "p",
                    "labels": [
                        {"tender": "in/a", "grade": 2, "reason": "fits"},
                        {"tender": "in/c", "grade": 0},
                        *({"tender": f"out/{key}", "grade": 0} for key in "def"),
                    ],
                }
            ]
        }
    )
    entries = [Entry(1, "p", "in/c", grade=1, reason="adjacent"), Entry(2, "p", "in/a", grade=2)]
    # all of p's labels: the first-0 cell holds 4 (in/c and out/d-f), 1 sampled -> weight 4
    assert compare(entries, labels).reweighted.exact == pytest.approx(1 / 5)
    drawn_from, _ = script.restrict(labels, ["p"], ["p:in/"])
    assert compare(entries, drawn_from).reweighted.exact == pytest.approx(1 / 2)
    assert compare(entries, drawn_from).overall.exact == pytest.approx(1 / 2)
    with pytest.raises(SecondReaderError, match="not in labels"):  # refused, never dropped
        compare([Entry(3, "p", "out/d", grade=0)], drawn_from)


# -- the French, Spanish, German, Polish, Bulgarian, Czech, Greek, Dutch, Hungarian, Finnish,
# Romanian, Slovak, Danish, Estonian, Swedish, Portuguese, Slovenian and Lithuanian groups'
# second readings, and that of the Italian group's second round

GROUP_SAMPLES = [
    ("second_reader_fr.toml", FRENCH_GROUP, "gathered-fr/", 121),
    ("second_reader_es.toml", SPANISH_GROUP, "gathered-es/", 100),
    ("second_reader_de.toml", GERMAN_GROUP, "gathered-de/", 90),
    ("second_reader_pl.toml", POLISH_GROUP, "gathered-pl/", 70),
    ("second_reader_bg.toml", BULGARIAN_GROUP, "gathered-bg/", 70),
    ("second_reader_cs.toml", CZECH_SECOND_READ, "gathered-cs/", 71),
    ("second_reader_el.toml", GREEK_GROUP, "gathered-el/", 60),
    ("second_reader_nl.toml", DUTCH_GROUP, "gathered-nl/", 60),
    ("second_reader_hu.toml", HUNGARIAN_GROUP, "gathered-hu/", 60),
    ("second_reader_it2.toml", ITALIAN_SECOND_ROUND, "gathered-it/", 60),
    ("second_reader_ro.toml", ROMANIAN_GROUP, "gathered-ro/", 43),
    ("second_reader_sk.toml", SLOVAK_GROUP, "gathered-sk/", 36),
    ("second_reader_fi.toml", FINNISH_GROUP, "gathered-fi/", 60),
    ("second_reader_et.toml", ESTONIAN_GROUP, "gathered-et/", 47),
    ("second_reader_sv.toml", SWEDISH_GROUP, "gathered-sv/", 27),
    ("second_reader_pt.toml", PORTUGUESE_GROUP, "gathered-pt/", 47),
    ("second_reader_da.toml", DANISH_GROUP, "gathered-da/", 57),
    ("second_reader_sl.toml", SLOVENIAN_GROUP, "gathered-sl/", 21),
    ("second_reader_lt.toml", LITHUANIAN_GROUP, "gathered-lt/", 31),
    ("second_reader_hr.toml", CROATIAN_GROUP, "gathered-hr/", 2),
    ("second_reader_lv.toml", LATVIAN_GROUP, "gathered-lv/", 3),
]


@pytest.mark.parametrize(("name", "group", "prefix", "size"), GROUP_SAMPLES)
def test_group_second_reader_files_are_graded_and_well_formed(
    name: str, group: frozenset[str], prefix: str, size: int
) -> None:
    """Each group's sample: every profile of the group with a label of its gathered notices, only
    those notices, every first-reader 2 and 1 there sampled (fewer than a third each), at least a
    third 0s (or all of them where the group has fewer: the Croatian and Latvian groups' labels of
    their own calls hold none); a reason on every grade; a verdict with a note on every
    disagreement and only there; a label is corrected exactly where the verdict says the first
    reader erred, keeping the first reading."""
    profiles = _profile_ids()
    header, entries = load_second_reader(REAL_LABELS.parent / name, profiles, graded=True)
    labels = load_labels(REAL_LABELS, known_profiles=set(profiles))
    assert header["size"] == len(entries) == size
    population = {
        (profile, key): first_reading(label)[0]
        for profile, graded in labels.profiles.items()
        if profile in group
        for key, label in graded.items()
        if key.startswith(prefix)
    }
    assert {e.profile for e in entries} == {profile for profile, _ in population} <= group
    first = {}
    for e in entries:
        assert e.tender.startswith(prefix), e.n
        assert e.tender in labels.profiles[e.profile], (e.n, "not a labelled pair")
        assert e.reason.strip(), (e.n, "every grade has its reason")
        label = labels.profiles[e.profile][e.tender]
        first[(e.profile, e.tender)] = first_reading(label)[0]
        assert (e.verdict is not None) == (first[(e.profile, e.tender)] != e.grade), e.n
        assert e.verdict is None or e.note.strip(), e.n
        corrected = label.reason.startswith("second reader (was ")
        assert corrected == (e.verdict == "first"), (e.n, "corrected on a first-reader error")
    for grade in (1, 2):  # scarce grades: all of them sampled
        assert {pair for pair, g in population.items() if g == grade} <= set(first), grade
    zeros = Counter(population.values())[0]
    assert Counter(first.values())[0] >= min(len(entries) // 3, zeros)
    unsampled = {
        (profile, key)
        for (profile, key) in population
        if labels.profiles[profile][key].reason.startswith("second reader")
    } - set(first)
    assert not unsampled, "every correction in these groups is a sampled pair's"


def test_a_later_rubric_point_keeps_the_first_readers_own_grade() -> None:
    """A label a later rubric point changed (R5, reserved contracts) is compared with second
    readers on the first reader's own grade, like a second reader's correction."""
    from scanner.evaluation.ranking import Label

    revised = "rubric R5 (was 2 -> 1): reserved to sheltered workshops; first reader: fits"
    assert first_reading(Label("t", 1, revised)) == (2, "fits")
    assert first_reading(Label("t", 1, "R5 said so")) == (1, "R5 said so")
