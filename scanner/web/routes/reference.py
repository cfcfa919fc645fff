"""Words for codes, for the profile forms' pickers: kinds of work (CPV, in 24 languages) and
places (NUTS and ISO 3166-2 names) searched by the words a person types. Open to anyone,
since sign-up needs them; read-only over the shipped reference tables."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from scanner.reference.cpv import cpv_vocabulary, significant_prefix
from scanner.reference.regions import search_regions
from scanner.web.templating import render

router = APIRouter(include_in_schema=False)
Words = Annotated[str, Query(max_length=100)]
LIMIT = 12


def reader_language(request: Request, asked: str = "") -> str:
    """The two-letter language to search labels in: asked for, else the browser's first."""
    wanted = asked or request.headers.get("accept-language", "").split(",")[0]
    code = wanted.strip().lower()[:2]
    return code if code.isalpha() and len(code) == 2 else "en"


@router.get("/reference/cpv")
def cpv_choices(
    request: Request, q: Words = "", lang: Annotated[str, Query(max_length=8)] = ""
) -> Response:
    language = reader_language(request, lang)
    vocabulary = cpv_vocabulary()
    if language not in vocabulary.languages:
        language = "en"
    found = vocabulary.search(q, language, limit=LIMIT)
    # ";" separates a profile's items, and a few labels hold one
    return _choices(
        q, [(significant_prefix(code), label.replace(";", ",")) for code, label in found]
    )


@router.get("/reference/regions")
def region_choices(q: Words = "") -> Response:
    return _choices(q, search_regions(q, limit=LIMIT))


def _choices(query: str, found: list[tuple[str, str]]) -> Response:
    return JSONResponse(
        {
            "query": query,
            "results": [
                {"code": code, "label": label, "shown": f"{label} ({code})"}
                for code, label in found
            ],
        }
    )


@router.get("/help/profile")
def profile_help(request: Request) -> Response:
    return render(request, "help/profile.html")
