"""Kinds of requirement the demo tenders are made of: wording, CPV codes, value ranges and
candidate lots, written the way UK public bodies write them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    """A kind of requirement: wording templates, CPV codes (main first), the procurement
    category, the usual value range (GBP ex VAT), candidate lots and whether it is digital.

    Templates use {buyer}, {place}, {service}, {audience} and {site}.
    """

    key: str
    titles: tuple[str, ...]
    intro: tuple[str, ...]
    scope: tuple[str, ...]
    cpvs: tuple[str, ...]
    category: str
    values: tuple[int, int]
    lots: tuple[tuple[str, str], ...] = ()  # (title, CPV); "{area}" takes a lot area
    digital: bool = True


THEMES: tuple[Theme, ...] = (
    Theme(
        "user_research",
        (
            "User research for {service}",
            "Discovery: user needs for {service}",
            "Service design and user research support",
        ),
        (
            "{buyer} wants to understand the needs of residents who use {service}, including people "
            "who find online services hard to use.",
            "We are looking for a small team to plan and run user research for {service} and to "
            "turn what they learn into clear recommendations.",
        ),
        (
            "Work includes recruiting participants, running interviews and usability testing, "
            "mapping the current service end to end and sharing findings in show and tells.",
            "Research must include people with access needs and people who prefer not to use "
            "digital channels. All outputs will be published under the Open Government Licence.",
        ),
        ("79310000", "79315000", "72220000"),
        "services",
        (15_000, 140_000),
    ),
    Theme(
        "accessibility",
        (
            "Accessibility audit of the {place} website and online forms",
            "WCAG 2.2 AA accessibility audit and remediation support",
            "Accessibility testing of {service} online service",
        ),
        (
            "{buyer} must meet the Public Sector Bodies Accessibility Regulations and wants an "
            "independent audit against WCAG 2.2 level AA.",
            "We need an accessibility specialist to test our main website, its PDF documents and "
            "the online forms for {service}.",
        ),
        (
            "The audit will combine automated checks with manual testing using screen readers, "
            "voice control and keyboard-only navigation, and testing with disabled users.",
            "The supplier will produce a prioritised issue log, help us update the accessibility "
            "statement and coach our content designers and developers.",
        ),
        ("72810000", "72800000", "80533100"),
        "services",
        (8_000, 90_000),
    ),
    Theme(
        "website",
        (
            "Redevelopment of the {place} website",
            "Website platform, hosting and support",
            "New intranet for {buyer}",
        ),
        (
            "{buyer} is replacing its ten-year-old website, which is hard to maintain and does not "
            "work well on mobile phones.",
            "We want a modern, accessible website built on an open source content management "
            "system, with content organised around what residents need to do.",
        ),
        (
            "Scope covers information architecture, content migration, design using an accessible "
            "design system, build, hosting, and two years of support and maintenance.",
            "The supplier will work in the open, in two-week sprints, alongside our digital team, "
            "and hand over the code and documentation at the end of the contract.",
        ),
        ("72413000", "72415000", "72212000"),
        "services",
        (40_000, 450_000),
    ),
    Theme(
        "data_platform",
        (
            "{place} data platform and analytics service",
            "Data warehouse modernisation",
            "Shared data platform for {service}",
        ),
        (
            "{buyer} wants a shared data platform so that teams can use trusted, joined-up data "
            "to plan services and report on outcomes.",
            "Our data currently sits in more than forty separate systems and spreadsheets; we want "
            "to bring it together safely on a cloud platform.",
        ),
        (
            "Work includes data discovery, building pipelines from line-of-business systems, a "
            "data catalogue, dashboards for service managers and training for analysts.",
            "The platform must meet UK GDPR and the NCSC cloud security principles; personal data "
            "must stay in the UK. Open standards and open source tools are preferred.",
        ),
        ("72310000", "72316000", "48600000", "72320000"),
        "services",
        (150_000, 2_500_000),
    ),
    Theme(
        "digital_service",
        (
            "Discovery and alpha for {service}",
            "Digital service for {service}",
            "Agile delivery team for {service}",
        ),
        (
            "{buyer} wants to make {service} simpler, clearer and faster for the people who use it.",
            "The current process for {service} relies on paper forms, email and re-keying, which "
            "causes delays and errors.",
        ),
        (
            "The supplier will provide a multidisciplinary team (delivery manager, user researcher, "
            "service designer, developers) working to the Service Standard.",
            "Code will be published in the open under an open source licence, and the team will "
            "pair with in-house staff to build the council's own capability.",
        ),
        ("72200000", "72224000", "72212000"),
        "services",
        (60_000, 900_000),
    ),
    Theme(
        "engagement",
        (
            "Community engagement programme for {place}",
            "Consultation on the {place} local plan",
            "Residents' survey {place}",
        ),
        (
            "{buyer} is seeking a partner to design and run community engagement that reaches "
            "people whose voices are seldom heard.",
            "We want residents, community groups and local businesses to help shape the future of "
            "{place}.",
        ),
        (
            "Activities include drop-in events, street conversations, an online survey, workshops "
            "with young people and a final report with an easy-read summary.",
            "The supplier must provide materials in accessible formats and community languages, "
            "and analyse responses so that themes can be traced back to the evidence.",
        ),
        ("79416000", "79311000", "79315000"),
        "services",
        (12_000, 180_000),
    ),
    Theme(
        "training",
        (
            "Digital skills training for {audience}",
            "Learning and development programme",
            "Data literacy training for {audience}",
        ),
        (
            "{buyer} is commissioning training to build the confidence and skills of {audience}.",
            "We want practical, blended training that fits around busy working patterns.",
        ),
        (
            "Sessions will be delivered face to face and online, with e-learning modules and "
            "follow-up clinics, and must be accessible to people with a range of needs.",
            "The provider will evaluate each course and report completion and confidence measures "
            "each quarter.",
        ),
        ("80533100", "80500000", "80510000"),
        "services",
        (10_000, 250_000),
        lots=(
            ("Digital skills", "80533100"),
            ("Leadership and management", "80510000"),
            ("Safeguarding", "80500000"),
            ("Health and safety", "80500000"),
            ("Equality, diversity and inclusion", "80500000"),
            ("Data literacy", "80533100"),
            ("Welsh language", "80530000"),
            ("Customer service", "80530000"),
        ),
    ),
    Theme(
        "case_management",
        (
            "Case management system for {service}",
            "Replacement of the housing management system",
            "Software licences and support for {service}",
        ),
        (
            "{buyer} needs a case management system for {service} to replace an unsupported "
            "product.",
            "We are looking for a configurable, cloud-hosted system with open APIs.",
        ),
        (
            "The contract covers licences, configuration, data migration, integration with our "
            "customer portal and finance system, training and ongoing support.",
            "Suppliers must show how the system meets accessibility standards and how data can be "
            "exported in open formats at the end of the contract.",
        ),
        ("48000000", "48810000", "72267000"),
        "services",
        (100_000, 2_000_000),
    ),
    Theme(
        "it_support",
        (
            "IT service desk and end-user support",
            "Managed print and device support",
            "Cyber security assessment and support",
        ),
        (
            "{buyer} requires IT support services for around 1,200 staff across its sites.",
            "We are looking for a supplier to support our staff devices and network.",
        ),
        (
            "Services include a service desk, deskside support, device build and recycling, and "
            "monthly performance reporting against agreed service levels.",
            "The supplier must hold Cyber Essentials Plus and support our move to cloud services.",
        ),
        ("72611000", "72500000"),
        "services",
        (80_000, 1_500_000),
    ),
    Theme(
        "translation",
        (
            "Translation and interpreting services",
            "Welsh translation services",
            "British Sign Language interpreting",
        ),
        (
            "{buyer} requires translation and interpreting so that residents can use services in "
            "their own language.",
        ),
        (
            "Services include written translation, telephone and video interpreting, and "
            "face-to-face interpreting at short notice, including British Sign Language.",
        ),
        ("79530000",),
        "services",
        (20_000, 300_000),
    ),
    Theme(
        "grounds",
        (
            "Grounds maintenance services",
            "Parks, open spaces and verge maintenance",
            "Tree surgery and arboricultural services",
        ),
        (
            "{buyer} is tendering grounds maintenance across its parks, cemeteries, housing land "
            "and highway verges.",
        ),
        (
            "Work includes grass cutting, shrub and hedge maintenance, litter picking, winter "
            "gritting of paths and reactive tree works, with biodiversity-friendly mowing regimes.",
            "Contractors must use electric or low-emission equipment where practicable.",
        ),
        ("77314000", "77310000", "77211400"),
        "services",
        (150_000, 4_000_000),
        lots=(("{area} area grounds maintenance", "77314000"),),
        digital=False,
    ),
    Theme(
        "catering",
        ("School catering services", "Catering for {site}", "Meals at home and lunch clubs"),
        ("{buyer} is seeking catering services that provide healthy, affordable meals.",),
        (
            "Menus must meet the School Food Standards, use seasonal and local produce where "
            "possible and cater for allergies, religious and cultural needs.",
            "The contractor will staff and run the kitchens and report on food waste.",
        ),
        ("55524000", "55520000"),
        "services",
        (100_000, 3_000_000),
        lots=(("{area} schools cluster", "55524000"),),
        digital=False,
    ),
    Theme(
        "construction",
        (
            "Construction of a new primary school in {place}",
            "New community hub for {place}",
            "Extension to {site}",
        ),
        (
            "{buyer} invites tenders for the construction of new buildings designed to high "
            "energy performance standards.",
        ),
        (
            "Works include site preparation, substructure, frame, envelope, mechanical and "
            "electrical services, external works and landscaping.",
            "The contractor will work under an NEC4 contract and deliver social value through "
            "local apprenticeships and spend with local small businesses.",
        ),
        ("45210000", "45214200", "71220000"),
        "works",
        (1_000_000, 15_000_000),
        lots=(
            ("Minor works up to £250,000", "45000000"),
            ("Roofing", "45261000"),
            ("Electrical installation", "45310000"),
            ("Plumbing and heating", "45330000"),
            ("Works £250,000 to £1 million", "45210000"),
            ("Refurbishment", "45453000"),
        ),
        digital=False,
    ),
    Theme(
        "refurbishment",
        (
            "Refurbishment of {site}",
            "Decarbonisation works at {site}",
            "Roof replacement at {site}",
        ),
        (
            "{buyer} requires refurbishment works to {site} to improve accessibility and reduce "
            "energy use.",
        ),
        (
            "Works include new windows, insulation, an air source heat pump, accessible toilets "
            "and a platform lift, carried out while the building stays partly open.",
        ),
        ("45453000", "45261000", "45310000"),
        "works",
        (80_000, 1_800_000),
        digital=False,
    ),
    Theme(
        "cleaning",
        ("Cleaning services for council buildings", "Cleaning of {site}"),
        ("{buyer} is tendering cleaning of its offices, libraries and community buildings.",),
        (
            "Cleaning includes daily and periodic cleans, window cleaning and washroom services, "
            "using environmentally preferable products. The contractor must pay the Real Living "
            "Wage.",
        ),
        ("90911200", "90910000"),
        "services",
        (60_000, 1_200_000),
        lots=(("{area} buildings", "90911200"),),
        digital=False,
    ),
    Theme(
        "highways",
        ("Highways resurfacing programme", "Footway and cycleway improvements in {place}"),
        ("{buyer} is procuring resurfacing and footway works across the county road network.",),
        (
            "Works include planing, resurfacing, drainage repairs, road markings and traffic "
            "management, programmed to limit disruption to bus routes and schools.",
        ),
        ("45233140",),
        "works",
        (300_000, 8_000_000),
        lots=(("{area} highways", "45233140"),),
        digital=False,
    ),
    Theme(
        "evaluation",
        ("Independent evaluation of the {service} pilot", "Research into {service}"),
        ("{buyer} is commissioning an independent evaluation of its pilot to improve {service}.",),
        (
            "The evaluation will combine a theory of change, analysis of administrative data and "
            "interviews with staff and residents, and will be published.",
        ),
        ("79315000", "73110000", "72316000"),
        "services",
        (25_000, 220_000),
    ),
    Theme(
        "care",
        ("Supported living services", "Community support for {audience}"),
        (
            "{buyer} is seeking providers of person-centred support that helps adults live "
            "independently in their own homes.",
        ),
        (
            "This is a light-touch procurement. Providers will work with families, health "
            "partners and the voluntary sector.",
        ),
        ("85312000", "85311000"),
        "services",
        (200_000, 5_000_000),
        digital=False,
    ),
)
