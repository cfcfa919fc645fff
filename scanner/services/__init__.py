"""Use cases the CLI, web and scheduler call: crawling, ingesting files, querying."""
