"""Digests at scale: 10,000 organisation digests selected, rendered, recorded and delivered
to a real SMTP server (aiosmtpd, its own process) on 127.0.0.1, against a render-only baseline in the same
process (the same content rendered and turned into MIME, without database or SMTP).

Data: N organisations, each with M matches (found an hour ago, varied scores, some lots and
packages) over a shared pool of tenders, written straight into a fresh database. Prints
figures; asserts nothing.

    .venv/bin/python benchmarks/bench_digest.py                   # 10,000 orgs, SQLite
    .venv/bin/python benchmarks/bench_digest.py --orgs 2000 --matches 8
    .venv/bin/python benchmarks/bench_digest.py --database-url postgresql+psycopg://...
"""

from __future__ import annotations

import argparse
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from scanner.alerts.mailer import SmtpConfig
from scanner.models import Match, Organisation, Source, Tender
from scanner.services.digests import DigestBuilder, DigestConfig, send_digests
from scanner.storage import digests as store
from scanner.storage.database import make_engine, upgrade_schema

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
WORDS = (
    "open data",
    "user research",
    "accessibility",
    "digital service",
    "evaluation",
    "community engagement",
    "website",
    "training",
    "survey",
    "platform",
    "GIS",
    "archive",
)


def start_server(port: int) -> subprocess.Popen[bytes]:
    """aiosmtpd in its own process, as a real mail server would be (not competing with the
    sender for the GIL); its Sink handler accepts and discards every message."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ],
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("aiosmtpd did not start")


def seed(engine: Any, orgs: int, per_org: int, rng: random.Random) -> None:
    tenders = max(orgs // 5, 50)
    with engine.begin() as conn:
        source = conn.execute(
            insert(Source).values(name="bench", kind="ocds", url="http://x/", created_at=NOW)
        ).inserted_primary_key[0]
        conn.execute(
            insert(Tender),
            [
                {
                    "source_id": source,
                    "source_key": f"t{i}",
                    "title": f"{rng.choice(WORDS).title()} for {rng.choice(WORDS)} <lot {i}>",
                    "buyer_name": f"Council {i % 300}",
                    "value_amount": Decimal(rng.randint(5, 900) * 1000),
                    "currency": "GBP",
                    "deadline_at": NOW + timedelta(days=rng.randint(2, 60)),
                    "status": "active",
                    "notice_url": f"https://notices.example/{i}",
                    "cpv_codes": [],
                    "classifications": [],
                    "regions": [],
                    "countries": [],
                    "items": [],
                    "content_hash": "h",
                    "version": 1,
                    "first_seen": NOW,
                    "last_seen": NOW,
                    "raw": {},
                }
                for i in range(tenders)
            ],
        )
        conn.execute(
            insert(Organisation),
            [
                {
                    "slug": f"org-{i:05d}",
                    "name": f"Civic Shop {i}",
                    "emails": [f"bids{i}@example.org"],
                    "description": "",
                    "capabilities": "",
                    "keywords": [],
                    "exclusions": [],
                    "cpv": [],
                    "naics": [],
                    "regions": [],
                    "national": False,
                    "remote": True,
                    "currency": "GBP",
                    "certifications": [],
                    "open_source": "no preference",
                    "digest": "weekly" if i % 3 else "daily",
                    "active": True,
                    "content_hash": "h",
                    "version": 1,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for i in range(orgs)
            ],
        )
        rows = []
        for org in range(1, orgs + 1):
            for tender in rng.sample(range(1, tenders + 1), per_org):
                kind = rng.choice(("tender", "tender", "lot", "package"))
                opportunity = f"tender:{tender}" if kind == "tender" else f"{kind}:{tender}:1"
                rows.append(
                    {
                        "organisation_id": org,
                        "tender_id": tender,
                        "opportunity_id": opportunity,
                        "kind": kind,
                        "title": f"{kind} part of {tender}",
                        "score": rng.random(),
                        "explanation": "CPV 72 matches; value in range; region UKI",
                        "breakdown": [],
                        "tender_version": 1,
                        "organisation_version": 1,
                        "weights_version": "w",
                        "found_at": NOW - timedelta(hours=1),
                        "updated_at": NOW,
                    }
                )
        for start in range(0, len(rows), 5000):
            conn.execute(insert(Match), rows[start : start + 5000])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--matches", type=int, default=6, help="matches per organisation")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        engine = make_engine(url)
        upgrade_schema(engine)
        started = time.perf_counter()
        seed(engine, args.orgs, args.matches, rng)
        print(
            f"Lotwise digest benchmark: {args.orgs:,} organisations x {args.matches} matches, "
            f"{engine.dialect.name}, Python {platform.python_version()} "
            f"(seeded in {time.perf_counter() - started:.1f} s)"
        )
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = start_server(port)
        config = DigestConfig(
            SmtpConfig("127.0.0.1", port),
            "Lotwise <digests@bench.test>",
            "https://lotwise.test",
            "bench secret",
        )
        builder = DigestBuilder(config)
        try:
            # Baseline: select + render + MIME only, same builder, nothing recorded or sent.
            with engine.connect() as conn:
                people = store.recipients(conn)
                started = time.perf_counter()
                built = [builder.build(conn, org, None, NOW) for org in people]
                baseline = time.perf_counter() - started
            assert all(built)
            size = sum(len(b.message) for b in built if b) / len(built)
            started = time.perf_counter()
            report = send_digests(engine, config, now=NOW, builder=builder)
            full = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait()
        engine.dispose()
    n = len(people)
    print(
        f"  select + render + MIME only (baseline): {n / baseline:8,.0f} digests/s "
        f"({baseline:.1f} s; {size / 1024:.1f} KiB per message)"
    )
    print(
        f"  select + render + record + SMTP delivery: {n / full:6,.0f} digests/s "
        f"({full:.1f} s; {len(report.sent):,} accepted by the server, "
        f"{len(report.failed) + len(report.retrying) + len(report.unknown)} not sent)"
    )
    print(f"  delivery costs {full / baseline:.1f}x the render-only time")


if __name__ == "__main__":
    main()
