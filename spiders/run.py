"""`python -m spiders crawl [--since ISO] [--until ISO] NAME...`: crawl sources in this process.

Each crawl is its own process because Scrapy's reactor cannot restart; all the named sources
run together in one `CrawlerProcess`, each in its own crawler with its own pacing. Progress is
printed as JSON lines on stdout (see `spiders.events`); Scrapy's log goes to stderr.

Exit codes: 0 when every run finished (even `partial`), 1 when a source could not run or its
run failed (unknown name, configuration error, interrupted), 2 for usage errors. A source
whose spider lacks a setting it needs (the SAM.gov API key) is skipped with a warning on
stderr when other sources run, so a crawl of every enabled source still works without the
key; named alone it fails with exit code 1 and the same message.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings as ScrapySettings

from scanner.sources import SourceConfig, SourcesFileError, load_sources
from spiders.base import OCDSSpider
from spiders.events import run_finished
from spiders.loader import LazySpiderLoader
from spiders.plan import parse_instant

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class CrawlSetupError(Exception):
    """A source cannot be crawled; the message says which and why."""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)  # exits 2 on a usage error
    try:
        return crawl(list(dict.fromkeys(args.sources)), since=args.since, until=args.until)
    except CrawlSetupError as exc:
        print(f"lotwise crawl: {exc}", file=sys.stderr)
        return EXIT_FAILED


def crawl(names: list[str], *, since: datetime | None, until: datetime | None) -> int:
    settings = project_settings()
    lotwise = settings["LOTWISE_SETTINGS"]
    try:
        sources = load_sources(lotwise.sources_file)
    except SourcesFileError as exc:
        raise CrawlSetupError(str(exc)) from exc
    unknown = [name for name in names if name not in sources]
    if unknown:
        known = ", ".join(sorted(sources)) or "(none)"
        raise CrawlSetupError(
            f"unknown source {', '.join(map(repr, unknown))} in {lotwise.sources_file}; "
            f"known sources: {known}"
        )
    spiders = _spider_classes(settings, [sources[name] for name in names])
    skipped = {
        name: missing
        for name in names
        if (missing := spiders[name].missing_configuration(lotwise)) is not None
    }
    if skipped and len(skipped) == len(names):
        raise CrawlSetupError("; ".join(f"source {n!r}: {m}" for n, m in skipped.items()))
    for name, missing in skipped.items():
        print(f"lotwise crawl: warning: skipping source {name!r}: {missing}", file=sys.stderr)
    names = [name for name in names if name not in skipped]
    process = CrawlerProcess(settings)
    outcomes = RunOutcomes()
    for name in names:
        crawler = process.create_crawler(spiders[name])
        crawler.signals.connect(outcomes.finished, signal=run_finished)
        process.crawl(crawler, config=sources[name], since=since, until=until)
    # what set-up built lives as long as the process: never scanned again. No collection
    # first: it would find a few dozen objects for 0.1 s of CPU, a few % of a small crawl.
    gc.freeze()
    process.start()
    return EXIT_OK if outcomes.all_finished(names) else EXIT_FAILED


def project_settings() -> ScrapySettings:
    """The settings of `spiders.settings` (Lotwise's own settings read once inside)."""
    try:
        settings = ScrapySettings()
        settings.setmodule("spiders.settings", priority="project")
    except Exception as exc:  # invalid LOTWISE_* values: pydantic names the field
        raise CrawlSetupError(f"invalid settings: {exc}") from exc
    return settings


class RunOutcomes:
    """Collects each run's final status from the pipeline's `run_finished` signal."""

    def __init__(self) -> None:
        self.statuses: dict[str, str] = {}

    def finished(self, source: str, status: str, **_: Any) -> None:
        self.statuses[source] = status

    def all_finished(self, names: Sequence[str]) -> bool:
        return all(self.statuses.get(name) in {"ok", "partial"} for name in names)


def _spider_classes(
    settings: ScrapySettings, configs: list[SourceConfig]
) -> dict[str, type[OCDSSpider]]:
    """Each source's spider class, its configuration checked before anything starts."""
    loader = LazySpiderLoader.from_settings(settings)
    classes: dict[str, type[OCDSSpider]] = {}
    for config in configs:
        try:
            spider_class = loader.load(config.spider)
        except KeyError as exc:
            raise CrawlSetupError(
                f"source {config.name!r}: no spider named {config.spider!r}; "
                f"spiders: {', '.join(sorted(loader.list()))}"
            ) from exc
        if not issubclass(spider_class, OCDSSpider):
            raise CrawlSetupError(
                f"source {config.name!r}: {config.spider!r} is not a Lotwise spider"
            )
        try:
            spider_class.effective_config(config)
        except ValueError as exc:
            raise CrawlSetupError(str(exc)) from exc
        classes[config.name] = spider_class
    return classes


def _instant(value: str) -> datetime:
    try:
        parsed = parse_instant(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO date or datetime: {value!r}") from exc
    assert parsed is not None
    return parsed


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m spiders", description="Crawl Lotwise sources, printing JSON events."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    crawl_parser = commands.add_parser("crawl", help="crawl the named sources")
    crawl_parser.add_argument(
        "--since", type=_instant, help="window start (default: high-water mark minus overlap)"
    )
    crawl_parser.add_argument("--until", type=_instant, help="window end (default: now)")
    crawl_parser.add_argument("sources", nargs="+", metavar="NAME", help="source names")
    return parser
