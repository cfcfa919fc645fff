"""Scrapy spiders: they only collect; the pipeline normalises and stores through scanner."""
