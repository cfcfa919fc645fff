"""The demo's non-OCDS publishers: a TED API v3 search, a SAM.gov opportunities search, an RSS
feed and an HTML "current tenders" table, in the formats their spiders read.

Our own generated data, deterministic for a seed. A few TED notices are cross-posts of open
Find a Tender procedures (same title, buyer, deadline and value, as a UK buyer publishing above
the threshold in both places would), so the demo's de-duplication merges them.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

from scanner.demo.generate import Procedure

TED_PATH = "/v3/notices/search"
SAM_PATH = "/opportunities/v2/search"
FEED_PATH = "/opportunities/rss"
LISTING_PATH = "/business/tenders"
TED_PAGE_SIZE = 15
TED_TOKEN = "ZGVtby1pdGVyYXRpb24tMg"
CROSS_POSTS = 6
UTF8 = "utf-8"
JSON_UTF8 = {"Content-Type": "application/json; charset=utf-8"}

# (title, CPV) pairs per kind of publisher: small, plausible civic services.
_EU_SERVICES = [
    ("Digital citizen services platform", "72000000"), ("Open data portal hosting", "72415000"),
    ("Accessibility audit of public websites", "72413000"), ("Translation services", "79530000"),
    ("Survey of residents' satisfaction", "79311000"), ("Training in digital skills", "80533100"),
    ("Evaluation of the youth employment programme", "79419000"),
    ("Cyber security assessment", "72150000"), ("Library digitisation", "79999100"),
    ("Community engagement for urban renewal", "79416000"),
]  # fmt: skip
_EU_BUYERS = [
    ("Stadt Musterstadt", "DEU", "DE212", "deu"), ("Ville d'Exempleville", "FRA", "FR101", "fra"),
    ("Example County Council", "IRL", "IE061", "eng"), ("Gemeente Voorbeeld", "NLD", "NL329", "nld"),
    ("Comune di Esempio", "ITA", "ITC4C", "ita"), ("Ayuntamiento de Ejemplo", "ESP", "ES300", "spa"),
]  # fmt: skip
_US_SERVICES = [
    ("Website accessibility remediation", "541511", "DA01"),
    ("Data analytics support services", "541519", "D399"),
    ("Program evaluation services", "541611", "R408"),
    ("Community outreach and engagement", "541820", "R708"),
    ("Training curriculum development", "611430", "U008"),
    ("Survey research and reporting", "541910", "B537"),
]
_US_OFFICES = [
    "GENERAL SERVICES ADMINISTRATION.FEDERAL ACQUISITION SERVICE",
    "HEALTH AND HUMAN SERVICES, DEPARTMENT OF.ADMINISTRATION FOR CHILDREN AND FAMILIES",
    "EDUCATION, DEPARTMENT OF.INSTITUTE OF EDUCATION SCIENCES",
    "INTERIOR, DEPARTMENT OF THE.NATIONAL PARK SERVICE",
]
_UK_LOCAL = [
    ("Repairs and maintenance framework: {}", "45453000"), ("Digital inclusion support in {}", "80500000"),
    ("Tenant satisfaction survey {}", "79311000"), ("Website redesign for {}", "72413000"),
    ("Youth services commissioning: {}", "85312000"), ("Community grants administration: {}", "75112000"),
    ("Parks and open spaces consultation: {}", "79416000"),
]  # fmt: skip
_UK_PLACES = ["Riverside", "Northshire", "Eastbrook", "Hillford", "Westmere", "Ashdale"]


@dataclass
class Built:
    """Fixture files by relative path, their manifest routes and counts for the summary."""

    files: dict[str, bytes]
    routes: list[dict[str, Any]]
    summary: dict[str, dict[str, int]]


def build_other_sources(seed: int, fts: list[Procedure], published: datetime) -> Built:
    """All four publishers' files and routes."""
    built = Built(files={}, routes=[], summary={})
    _ted(built, random.Random(f"{seed}-ted"), fts, published)
    _sam(built, random.Random(f"{seed}-sam"), published)
    _feed(built, random.Random(f"{seed}-feed"), published)
    _listing(built, random.Random(f"{seed}-listing"), published)
    return built


def _route(method: str, path: str, body_file: str, headers: dict[str, str], **extra: Any) -> Any:
    return {"method": method, "path": path, "query": {}, "status": 200, "headers": headers,
            "body_file": body_file, "template": True, "fault": None, "times": None, **extra}  # fmt: skip


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode(UTF8)


def _day(published: datetime, rng: random.Random, back: int) -> datetime:
    return (published - timedelta(days=rng.randint(1, back))).replace(
        hour=rng.randint(8, 17), minute=0, second=0, microsecond=0
    )


# TED API


def _ted(built: Built, rng: random.Random, fts: list[Procedure], published: datetime) -> None:
    notices = [_cross_post(p, n) for n, p in enumerate(_open_procedures(fts)[:CROSS_POSTS])]
    for n in range(len(notices), 30):
        title, cpv = rng.choice(_EU_SERVICES)
        buyer, country, nuts, lang = rng.choice(_EU_BUYERS)
        day = _day(published, rng, 60)
        value = rng.choice([40, 60, 85, 120, 250, 400, 900]) * 1000
        lots = rng.choice([1, 1, 2, 3])
        deadline = (day + timedelta(days=rng.randint(30, 60))).date().isoformat() + "+01:00"
        notice: dict[str, Any] = {
            "publication-number": f"{700100 + n * 37}-2026",
            "publication-date": day.date().isoformat() + "+01:00",
            "notice-type": "cn-standard", "form-type": "competition", "procedure-type": "open",
            "notice-title": {"eng": f"{buyer} – {title}"},
            "description-proc": {"eng": f"{title} for {buyer}, in {lots} lot(s)."},
            "buyer-name": {lang: [buyer]}, "buyer-country": [country],
            "classification-cpv": [cpv], "place-of-performance": [nuts],
            "estimated-value-proc": value, "estimated-value-cur-proc": ["EUR"],
            "identifier-lot": [f"LOT-{i:04d}" for i in range(1, lots + 1)],
            "title-lot": {"eng": [f"{title}: part {i}" for i in range(1, lots + 1)]},
            "deadline-receipt-tender-date-lot": [deadline] * lots,
        }  # fmt: skip
        notices.append(notice)
    notices.sort(key=lambda n: str(n["publication-date"]), reverse=True)
    pages = [notices[:TED_PAGE_SIZE], notices[TED_PAGE_SIZE:]]
    for number, page in enumerate(pages, start=1):
        token = TED_TOKEN if number < len(pages) else None
        body = {"notices": page, "totalNoticeCount": len(notices), "iterationNextToken": token}
        built.files[f"ted/search-{number}.json"] = _json_bytes(body)
    # The second page answers the request carrying the first page's token: listed first.
    built.routes.append(
        _route("POST", TED_PATH, "ted/search-2.json", JSON_UTF8, body_contains=TED_TOKEN)
    )
    built.routes.append(_route("POST", TED_PATH, "ted/search-1.json", JSON_UTF8))
    built.summary["ted"] = {"notices": len(notices), "cross_posted_with_fts": CROSS_POSTS}


def _open_procedures(fts: list[Procedure]) -> list[Procedure]:
    return [p for p in fts if p.outcome == "open" and p.lots == 1 and _tender(p).get("title")]


def _tender(procedure: Procedure) -> dict[str, Any]:
    tender: dict[str, Any] = procedure.releases[-1].get("tender") or {}
    return tender


def _cross_post(procedure: Procedure, n: int) -> dict[str, Any]:
    """The TED notice of an above-threshold UK procedure: same title, buyer, deadline, value."""
    release = procedure.releases[-1]
    tender = _tender(procedure)
    cpv = [
        c["id"]
        for item in tender.get("items") or []
        for c in item.get("additionalClassifications") or []
        if c.get("scheme") == "CPV"
    ]
    deadline = str((tender.get("tenderPeriod") or {}).get("endDate") or "")
    value = tender.get("value") or {}
    return {
        "publication-number": f"{690000 + n * 53}-2026",
        "publication-date": str(release["date"])[:10] + "+01:00",
        "notice-type": "cn-standard", "form-type": "competition", "procedure-type": "open",
        "notice-title": {"eng": tender["title"]},
        "description-proc": {"eng": str(tender.get("description") or "")[:300]},
        "buyer-name": {"eng": [release["buyer"]["name"]]}, "buyer-country": ["GBR"],
        "classification-cpv": cpv[:1] or ["79000000"], "place-of-performance": ["UKI"],
        "estimated-value-proc": value.get("amount"),
        "estimated-value-cur-proc": [value.get("currency") or "GBP"],
        "deadline-receipt-tender-date-lot": [deadline] if deadline else [],
    }  # fmt: skip


# SAM.gov


def _sam(built: Built, rng: random.Random, published: datetime) -> None:
    records = []
    for n in range(24):
        title, naics, psc = rng.choice(_US_SERVICES)
        office = rng.choice(_US_OFFICES)
        day = _day(published, rng, 60)
        notice_id = f"{rng.getrandbits(128):032x}"
        records.append({
            "noticeId": notice_id, "title": title,
            "solicitationNumber": f"DEMO{26000 + n * 7}",
            "fullParentPathName": office, "postedDate": day.date().isoformat(),
            "type": "Combined Synopsis/Solicitation", "baseType": "Combined Synopsis/Solicitation",
            "typeOfSetAside": rng.choice(["SBA", "8A", None]),
            "responseDeadLine": (day + timedelta(days=rng.randint(20, 45))).strftime(
                "%Y-%m-%dT14:00:00-05:00"),
            "naicsCode": naics, "naicsCodes": [naics], "classificationCode": psc,
            "active": "Yes", "award": None,
            "description": f"{title} for {office.split('.')[-1].title()}.",
            "placeOfPerformance": {"state": {"code": "DC"}, "country": {"code": "USA"}},
            "uiLink": f"https://sam.gov/workspace/contract/opp/{notice_id}/view",
        })  # fmt: skip
    body = {"totalRecords": len(records), "limit": 100, "offset": 0, "opportunitiesData": records}
    built.files["sam/search-0.json"] = _json_bytes(body)
    built.routes.append(_route("GET", SAM_PATH, "sam/search-0.json", JSON_UTF8))
    built.summary["sam"] = {"opportunities": len(records)}


# RSS feed and HTML listing of UK local bodies


def _local_entries(rng: random.Random, published: datetime, prefix: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for n in range(20):
        pattern, cpv = rng.choice(_UK_LOCAL)
        place = rng.choice(_UK_PLACES)
        day = _day(published, rng, 45)
        entries.append({
            "id": f"{prefix}-2026-{100 + n * 3:04d}", "title": pattern.format(place),
            "buyer": f"{place} {rng.choice(['Council', 'Housing Association'])}",
            "published": day, "deadline": day + timedelta(days=rng.randint(21, 50)),
            "value": rng.choice([25, 40, 60, 90, 150, 300]) * 1000, "cpv": cpv,
        })  # fmt: skip
    entries.sort(key=lambda e: e["published"], reverse=True)
    return entries


def _feed(built: Built, rng: random.Random, published: datetime) -> None:
    items = []
    for e in _local_entries(rng, published, "RHA"):
        summary = (
            f"{e['title']}. Estimated value £{e['value']:,}. "
            f"Closing date {e['deadline'].strftime('%d %B %Y')}."
        )
        items.append(
            "    <item>\n"
            f'      <guid isPermaLink="false">urn:demo:{e["id"]}</guid>\n'
            f"      <title>{escape(e['title'])}</title>\n"
            f"      <link>{{base_url}}/opportunities/{e['id']}</link>\n"
            f"      <author>{escape(e['buyer'])}</author>\n"
            f"      <category>{e['cpv']}</category>\n"
            f"      <pubDate>{e['published'].strftime('%a, %d %b %Y %H:%M:%S')} +0000</pubDate>\n"
            f"      <description>{escape(summary)}</description>\n"
            "    </item>\n"
        )
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">\n  <channel>\n'
        "    <title>Riverside housing partners: opportunities (demo)</title>\n"
        "    <link>{base_url}/opportunities</link>\n"
        "    <description>Current opportunities</description>\n"
        + "".join(items)
        + "  </channel>\n</rss>\n"
    )
    built.files["feed/opportunities.xml"] = xml.encode(UTF8)
    rss = {"Content-Type": "application/rss+xml; charset=utf-8"}
    built.routes.append(_route("GET", FEED_PATH, "feed/opportunities.xml", rss))
    built.summary["feed"] = {"entries": len(items)}


def _listing(built: Built, rng: random.Random, published: datetime) -> None:
    entries = _local_entries(rng, published, "RBC")
    halves = [entries[:10], entries[10:]]
    html = {"Content-Type": "text/html; charset=utf-8"}
    for number, half in enumerate(halves, start=1):
        rows = "".join(
            "      <tr>"
            f'<td class="ref">{e["id"]}</td>'
            f'<td class="title"><a href="/business/tenders/{e["id"]}">{escape(e["title"])}</a></td>'
            f'<td class="dept">{escape(e["buyer"])}</td>'
            f'<td class="value">£{e["value"]:,}</td>'
            f'<td class="published">{e["published"].strftime("%d/%m/%Y")}</td>'
            f'<td class="closing">{e["deadline"].strftime("%d/%m/%Y %H:%M")}</td>'
            "</tr>\n"
            for e in half
        )
        pager = (
            f'<nav class="pager"><a class="next" href="/business/tenders?page={number + 1}">Next</a></nav>'
            if number < len(halves)
            else '<nav class="pager"></nav>'
        )
        page = (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            "<title>Current tenders (demo council)</title></head><body>\n"
            '  <h1>Current tenders</h1>\n  <table class="tenders"><thead><tr><th>Ref</th>'
            "<th>Title</th><th>Department</th><th>Value</th><th>Published</th><th>Closing</th>"
            f"</tr></thead><tbody>\n{rows}  </tbody></table>\n  {pager}\n</body></html>\n"
        )
        built.files[f"listing/page-{number}.html"] = page.encode(UTF8)
    built.routes.append(
        {**_route("GET", LISTING_PATH, "listing/page-2.html", html), "query": {"page": "2"}}
    )
    built.routes.append(_route("GET", LISTING_PATH, "listing/page-1.html", html))
    built.summary["listing"] = {"entries": len(entries)}


def utc(text: str) -> datetime:
    """The fixtures' publication instant (`PUBLISHED` of the generator script)."""
    return datetime.fromisoformat(text).astimezone(UTC)
