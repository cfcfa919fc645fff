"""Organisation profiles (issue 5): the schema, loaders and writers for TOML/JSON/CSV, code and
region checks, currency reference rates, and the conversion to `matchers.types.OrgProfile`.

Pure: no database, settings or clock; storage and services build on it.
"""

from scanner.orgs.convert import ConversionError, to_org_profile
from scanner.orgs.loaders import (
    FORMATS,
    Format,
    LoadResult,
    OrgFileError,
    RecordError,
    format_of,
    load_file,
    parse_text,
    validate_records,
)
from scanner.orgs.rates import RatesError, RateTable, load_rates
from scanner.orgs.schema import FIELD_ORDER, OrganisationProfile
from scanner.orgs.writers import dump_profiles

__all__ = [
    "FIELD_ORDER",
    "FORMATS",
    "ConversionError",
    "Format",
    "LoadResult",
    "OrgFileError",
    "OrganisationProfile",
    "RateTable",
    "RatesError",
    "RecordError",
    "dump_profiles",
    "format_of",
    "load_file",
    "load_rates",
    "parse_text",
    "to_org_profile",
    "validate_records",
]
