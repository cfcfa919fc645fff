"""Scrapy settings for Lotwise's spiders (`scrapy.cfg` points here).

Values an operator may change come from Lotwise's own settings (environment `LOTWISE_*`, then
`config/lotwise.toml`), read once when Scrapy loads this module; the object itself is passed
on as `LOTWISE_SETTINGS`. Pacing is per source: `OCDSSpider.from_crawler` applies each
source's `politeness` (concurrency, delay, AutoThrottle) to its own crawler.
"""

from __future__ import annotations

from scrapy.settings import default_settings as _scrapy

from scanner.settings import Settings

LOTWISE_SETTINGS = Settings()

BOT_NAME = "lotwise"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
# Imports a spider's module only when it is crawled (see `spiders.loader`).
SPIDER_LOADER_CLASS = "spiders.loader.LazySpiderLoader"

# Scrapy 2.19 starts a remote-control HTTP server and a telnet console by default: a crawl
# must not open ports.
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy imports every listed extension and middleware before asking it whether it is
# enabled, even one set to None: the remote control alone brings aiohttp's web server (10 MB
# of a crawl's memory), the cookies middleware tldextract. Both are off here, so they are
# left out of the base lists and never imported.
_unused = {
    "scrapy.extensions.remote_control.RemoteControl",  # REMOTE_CONTROL_ENABLED = False
    "scrapy.extensions.telnet.TelnetConsole",  # TELNETCONSOLE_ENABLED = False
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",  # COOKIES_ENABLED = False
}
EXTENSIONS_BASE = {k: v for k, v in _scrapy.EXTENSIONS_BASE.items() if k not in _unused}
DOWNLOADER_MIDDLEWARES_BASE = {
    k: v for k, v in _scrapy.DOWNLOADER_MIDDLEWARES_BASE.items() if k not in _unused
}
# Scrapy checks every callback for `return value` in a generator by reading and parsing its
# source; its cache is keyed by the bound method, new for each response, so that was a
# getsource and an ast.parse per page (about 5 % of a re-crawl). No Lotwise callback returns
# a value from a generator (`ruff check --preview --select B901 spiders` finds none).
WARN_ON_GENERATOR_RETURN_VALUE = False

# The sources are APIs published for programs to read, and their robots.txt files are written
# for the HTML pages of the same hosts. Politeness is kept by the per-source pacing, an honest
# user agent with a contact URL, and honouring Retry-After and rate-limit pages instead.
ROBOTSTXT_OBEY = False
USER_AGENT = LOTWISE_SETTINGS.full_user_agent
DEFAULT_REQUEST_HEADERS = {"Accept": "application/json", "Accept-Language": "en"}
COOKIES_ENABLED = False

DOWNLOAD_TIMEOUT = LOTWISE_SETTINGS.http_timeout
RETRY_ENABLED = True
RETRY_TIMES = LOTWISE_SETTINGS.http_retries
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# A truncated body reaches the spider flagged "dataloss": it retries it like a 5xx and, when
# retries run out, records it with the start of what arrived.
DOWNLOAD_FAIL_ON_DATALOSS = False
# Non-2xx responses stay errors (HttpError) and reach each request's errback, which turns them
# into error rows; nothing is dropped silently.
HTTPERROR_ALLOW_ALL = False

# Defaults for sources without `politeness`; each source's own values replace them.
CONCURRENT_REQUESTS = 1
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_MAX_DELAY = 60.0

DOWNLOADER_MIDDLEWARES = {
    # Closer to the downloader than RetryMiddleware (550): they see 429/503/403 first.
    "spiders.middlewares.RetryAfterMiddleware": 560,
    "spiders.middlewares.BanBackoffMiddleware": 570,
    # Farther from the engine than RedirectMiddleware (600): sees each 3xx before it.
    "spiders.middlewares.RedirectGuardMiddleware": 610,
}
ITEM_PIPELINES = {"spiders.pipelines.StorePipeline": 300}

LOG_LEVEL = LOTWISE_SETTINGS.log_level
LOGSTATS_INTERVAL = 60.0
