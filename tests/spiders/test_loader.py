"""The lazy spider loader knows every spider Scrapy's own loader finds, and imports only the
module of the spider it is asked for."""

from __future__ import annotations

import subprocess
import sys

from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader

from spiders.loader import LazySpiderLoader


def test_the_table_names_every_spider_scrapy_finds() -> None:
    settings = Settings()
    settings.setmodule("spiders.settings", priority="project")
    scrapy_loader = SpiderLoader.from_settings(settings)
    lazy = LazySpiderLoader.from_settings(settings)
    assert lazy.list() == sorted(scrapy_loader.list())
    for name in lazy.list():
        assert lazy.load(name) is scrapy_loader.load(name)


def test_an_unknown_spider_is_a_key_error() -> None:
    try:
        LazySpiderLoader().load("nope")
    except KeyError as exc:
        assert "nope" in str(exc)
    else:
        raise AssertionError("no KeyError")


def test_a_crawl_process_for_the_ocds_spider_imports_no_html_or_xml_spider() -> None:
    """About the process: which modules a fresh interpreter has after setting up a crawl."""
    code = (
        "import sys\n"
        "from scrapy.crawler import CrawlerProcess\n"
        "from spiders.run import project_settings\n"
        "process = CrawlerProcess(project_settings())\n"
        "process.spider_loader.load('ocds')\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = set(out.stdout.split())
    assert "spiders.ocds" in modules
    assert not modules & {"spiders.html_listing", "spiders.feed", "spiders.ted", "bs4", "alembic"}
