"""Reference data shipped with Lotwise (code lists and their labels), read-only and pure."""

from scanner.reference.cpv import CpvVocabulary, cpv_vocabulary, pad_code, significant_prefix

__all__ = ["CpvVocabulary", "cpv_vocabulary", "pad_code", "significant_prefix"]
