"""The web application: officer, organisation and operator pages and the JSON API (issue 7).

Handlers are thin: they check the role, call services and render a template."""

from scanner.web.app import create_app

__all__ = ["create_app"]
