"""Scheduled operation: APScheduler jobs, the crawl runner (local subprocess or Scrapyd) and
clocks. Uses the services; nothing below imports it."""
