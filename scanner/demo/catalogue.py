"""Vocabulary for the demo and benchmark tenders: fictional UK public bodies, real CPV and NUTS
codes, and the wording of civic procurement.

Kept apart from `generate.py` so the generator's logic stays readable. Every body, place and
person here is invented; telephone numbers are in Ofcom's drama ranges (01632 960xxx,
07700 900xxx), so nothing published by the demo reaches anyone real.
"""

from __future__ import annotations

from dataclasses import dataclass

CPV: dict[str, str] = {
    "72000000": "IT services: consulting, software development, Internet and support",
    "72200000": "Software programming and consultancy services",
    "72212000": "Programming services of application software",
    "72220000": "Systems and technical consultancy services",
    "72224000": "Project management consultancy services",
    "72267000": "Software maintenance and repair services",
    "72310000": "Data-processing services",
    "72316000": "Data analysis services",
    "72320000": "Database services",
    "72413000": "World wide web (www) site design services",
    "72415000": "World wide web (www) site operation host services",
    "72500000": "Computer-related services",
    "72611000": "Technical computer support services",
    "72800000": "Computer audit and testing services",
    "72810000": "Computer audit services",
    "48000000": "Software package and information systems",
    "48600000": "Database and operating software package",
    "48810000": "Information systems",
    "79310000": "Market research services",
    "79311000": "Survey services",
    "79315000": "Social research services",
    "79411000": "General management consultancy services",
    "79416000": "Public relations services",
    "79530000": "Translation services",
    "79340000": "Advertising and marketing services",
    "80500000": "Training services",
    "80510000": "Specialist training services",
    "80530000": "Vocational training services",
    "80533100": "Computer training services",
    "73110000": "Research services",
    "77310000": "Planting and maintenance services of green areas",
    "77314000": "Grounds maintenance services",
    "77211400": "Tree-cutting services",
    "55520000": "Catering services",
    "55524000": "School catering services",
    "45000000": "Construction work",
    "45210000": "Building construction work",
    "45214200": "Construction work for school buildings",
    "45453000": "Overhaul and refurbishment work",
    "45233140": "Roadworks",
    "45261000": "Erection and related works of roof frames and coverings",
    "45310000": "Electrical installation work",
    "45330000": "Plumbing and sanitary works",
    "90911200": "Building-cleaning services",
    "90910000": "Cleaning services",
    "85312000": "Social work services without accommodation",
    "85311000": "Social work services with accommodation",
    "71220000": "Architectural design services",
}

# NUTS 2016 codes as Find a Tender publishes them, with the region names Contracts Finder uses.
REGIONS: dict[str, str] = {
    "UKC1": "North East",
    "UKC2": "North East",
    "UKD3": "North West",
    "UKD4": "North West",
    "UKD7": "North West",
    "UKE3": "Yorkshire and the Humber",
    "UKE4": "Yorkshire and the Humber",
    "UKF1": "East Midlands",
    "UKF2": "East Midlands",
    "UKG3": "West Midlands",
    "UKG2": "West Midlands",
    "UKH1": "East of England",
    "UKH2": "East of England",
    "UKH3": "East of England",
    "UKI3": "London",
    "UKI4": "London",
    "UKI7": "London",
    "UKJ1": "South East",
    "UKJ2": "South East",
    "UKJ4": "South East",
    "UKK1": "South West",
    "UKK4": "South West",
    "UKM7": "Scotland",
    "UKM8": "Scotland",
    "UKM6": "Scotland",
    "UKN0": "Northern Ireland",
    "UKL18": "Wales",
    "UKL22": "Wales",
    "UKL14": "Wales",
    "UKL24": "Wales",
    "UKL13": "Wales",
    "UKL16": "Wales",
}


@dataclass(frozen=True)
class Place:
    """A fictional locality with a real NUTS region, a postcode area and a Welsh name if any."""

    name: str
    region: str
    postcode: str
    welsh: str | None = None


PLACES: tuple[Place, ...] = (
    Place("Westmere", "UKJ2", "WM"),
    Place("Calderbrook", "UKE4", "CB"),
    Place("North Ashby", "UKF2", "NA"),
    Place("Kingsreach", "UKH1", "KR"),
    Place("Harrowfield", "UKD3", "HF"),
    Place("Easton Vale", "UKK1", "EV"),
    Place("Marshby", "UKH3", "MB"),
    Place("Oakhurst", "UKJ4", "OK"),
    Place("Bramley Heath", "UKG3", "BH"),
    Place("Ravensholme", "UKC1", "RH"),
    Place("Lydmouth", "UKK4", "LY"),
    Place("Wexcombe", "UKJ1", "WX"),
    Place("Haverleigh", "UKD7", "HV"),
    Place("Fellside", "UKD4", "FS"),
    Place("Greyford", "UKF1", "GY"),
    Place("Brackenbury", "UKE3", "BK"),
    Place("Elmsworth", "UKH2", "EW"),
    Place("Tamsworth", "UKG2", "TW"),
    Place("Southgate Reach", "UKI4", "SR"),
    Place("Camden Wharf", "UKI3", "CW"),
    Place("Strathallan", "UKM7", "ST"),
    Place("Inverbrora", "UKM6", "IV"),
    Place("Kilbride Moss", "UKM8", "KM"),
    Place("Lough Carran", "UKN0", "BT"),
)

WELSH_PLACES: tuple[Place, ...] = (
    Place("Aberhafren", "UKL22", "CF", "Aberhafren"),
    Place("Cwm Tawel", "UKL18", "SA", "Cwm Tawel"),
    Place("Llanfair Dyffryn", "UKL13", "LL", "Llanfair Dyffryn"),
    Place("Porthaven", "UKL14", "SA", "Porth Hafan"),
    Place("Bro Teifi", "UKL14", "SA", "Bro Teifi"),
    Place("Glyncoed", "UKL16", "NP", "Glyncoed"),
    Place("Mynydd Du", "UKL24", "LD", "Mynydd Du"),
)

# (pattern, UK_CA_TYPE id, mainly digital buyer?) for local and regional bodies.
BODY_PATTERNS: tuple[tuple[str, str], ...] = (
    ("{place} District Council", "publicAuthoritySubCentralGovernment"),
    ("{place} Borough Council", "publicAuthoritySubCentralGovernment"),
    ("{place} City Council", "publicAuthoritySubCentralGovernment"),
    ("{place} County Council", "publicAuthoritySubCentralGovernment"),
    ("{place} Metropolitan Borough Council", "publicAuthoritySubCentralGovernment"),
    ("{place} Teaching Hospitals NHS Foundation Trust", "publicUndertaking"),
    ("{place} Integrated Care Board", "publicAuthoritySubCentralGovernment"),
    ("{place} Fire and Rescue Authority", "publicAuthoritySubCentralGovernment"),
    ("{place} Combined Authority", "publicAuthoritySubCentralGovernment"),
    ("University of {place}", "publicAuthoritySubCentralGovernment"),
    ("{place} College", "publicAuthoritySubCentralGovernment"),
    (
        "Office of the Police and Crime Commissioner for {place}",
        "publicAuthoritySubCentralGovernment",
    ),
)
WELSH_BODY_PATTERNS: tuple[tuple[str, str], ...] = (
    ("{place} County Borough Council", "Regional or local authority"),
    ("Cyngor Sir {welsh} / {place} County Council", "Regional or local authority"),
    ("{place} University Health Board", "Body governed by public law"),
    ("Coleg {welsh}", "Body governed by public law"),
    ("{place} Housing Association", "Body governed by public law"),
)
CENTRAL_BODIES: tuple[str, ...] = (
    "Civic Digital Service",
    "National Skills Agency",
    "Environment Data Agency",
    "Public Records Office for England",
    "Office for Community Statistics",
    "Department for Local Communities and Housing",
)

FIRST_NAMES: tuple[str, ...] = (
    "Amira",
    "Ben",
    "Chloé",
    "Dafydd",
    "Eilidh",
    "Farah",
    "Gareth",
    "Hannah",
    "Imran",
    "Joanne",
    "Kwame",
    "Lowri",
    "Marta",
    "Niamh",
    "Oliver",
    "Priya",
    "Rhys",
    "Siân",
    "Tomás",
    "Zoë",
    "José",
    "Renée",
    "Aoife",
    "Björn",
    "Hélène",
)
LAST_NAMES: tuple[str, ...] = (
    "Ahmed",
    "Brennan",
    "Clarke",
    "Davies",
    "Evans",
    "Fernández",
    "Griffiths",
    "Hughes",
    "Iqbal",
    "Jones",
    "Kowalski",
    "Lloyd",
    "Morgan",
    "Nowak",
    "O'Brien",
    "Patel",
    "Quinn",
    "Roberts",
    "Smith",
    "Thompson",
    "Müller",
    "Okafor",
    "Pritchard",
    "Walsh",
    "Young",
)

SUPPLIERS: tuple[tuple[str, str], ...] = (  # (name, scale)
    ("Fieldwork Digital Ltd", "sme"),
    ("Open Lantern Co-operative", "sme"),
    ("Northern Data Works Ltd", "sme"),
    ("Greenway Grounds Ltd", "sme"),
    ("Kitchen Table Catering CIC", "sme"),
    ("Brightstone Construction plc", "large"),
    ("Meridian Managed Services plc", "large"),
    ("Clearpath Accessibility Ltd", "sme"),
    ("Civic Research Partnership LLP", "sme"),
    ("Harbour Build Group Ltd", "large"),
    ("Sparrow & Finch Training Ltd", "sme"),
    ("Atlas Public Sector Solutions plc", "large"),
    ("Zoë Clarke Consulting Ltd", "sme"),
    ("Siân Pritchard Associates", "sme"),
    ("Café Culture Events CIC", "sme"),
)

SERVICES: tuple[str, ...] = (
    "adult social care referrals",
    "blue badge applications",
    "school admissions",
    "council tax support",
    "housing repairs reporting",
    "bulky waste collection bookings",
    "planning applications",
    "library membership",
    "concessionary bus passes",
    "licensing applications",
    "early help for families",
    "resident parking permits",
    "community grants",
    "temporary accommodation",
    "flood alerts sign-up",
    "special educational needs assessments",
    "business rates relief",
    "volunteer recruitment",
)
AUDIENCES: tuple[str, ...] = (
    "frontline staff",
    "elected members",
    "managers",
    "social workers",
    "volunteers",
    "residents aged over 65",
    "small businesses",
    "apprentices",
    "school governors",
)
SITES: tuple[str, ...] = (
    "Civic Centre",
    "Central Library",
    "Riverside Leisure Centre",
    "Market Hall",
    "Northgate Primary School",
    "Memorial Park Pavilion",
    "Town Hall Annexe",
    "Depot and Workshops",
    "Community Hub",
    "Children's Centre",
    "Park Café and Pavilion",
)
AREAS: tuple[str, ...] = (
    "North",
    "South",
    "East",
    "West",
    "Town Centre",
    "Parks and Cemeteries",
    "Housing Estates",
    "Highway Verges",
    "Schools and Academies",
    "Rural Parishes",
    "Riverside",
    "Industrial Estates",
)

DDAT_LOTS: tuple[tuple[str, str], ...] = (
    ("User research and service design", "79310000"),
    ("Software development", "72212000"),
    ("Data engineering and analytics", "72316000"),
    ("Accessibility and assurance", "72810000"),
    ("Digital skills and training", "80533100"),
    ("Cloud hosting and support", "72415000"),
    ("Content design and communications", "79416000"),
    ("Delivery and agile coaching", "72224000"),
    ("Cyber security", "72800000"),
    ("Websites and content management", "72413000"),
    ("Software licences", "48000000"),
    ("Community engagement", "79311000"),
)

PHASES = (
    "The contract covers all phases of delivery: discovery (12 weeks), alpha (4 months), "
    "private and public beta (12 months) and live running and continuous improvement for "
    "up to five years."
)
CONSOLIDATION = (
    "{buyer} intends to appoint a single supplier to deliver an end-to-end managed service as "
    "prime contractor, responsible for design, build, hosting, support, training and change "
    "management across all participating organisations."
)

PROGRAMME_TITLES = (
    "{service} transformation programme",
    "Digital {place}: customer experience platform and managed service",
    "End-to-end digital, data and technology partner",
    "Integrated digital services managed service for {place} and partners",
    "Single supplier for the {place} digital transformation programme",
)
PROGRAMME_CPVS = ("72200000", "48000000", "79411000", "80533100", "72316000", "72611000")
STREETS = (
    "Civic Centre, Market Street", "Town Hall, High Street", "County Hall, Station Road",
    "Riverside House, Mill Lane", "1 Victoria Square", "Unit 4, Enterprise Park",
)  # fmt: skip
BOILERPLATE = {
    "fts": "This procurement is being conducted under the Procurement Act 2023 using the {method}. "
    "Tender documents are available on the buyer's e-tendering portal.",
    "cf": "Additional information: responses must be submitted through the e-tendering portal by "
    "the closing date. Clarification questions must be raised at least five working days before "
    "the deadline.",
    "portal": "NOTE: To register your interest in this notice and obtain any additional "
    "information please visit the Tendrau Cymru web site. Community benefits are included in "
    "this requirement.",
}
