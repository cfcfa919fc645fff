"""A key part that stands for one object by its identity (configuration read from files, which
is a new object whenever its files change), holding it so that no other object takes its id."""

from __future__ import annotations

from typing import Any


class Identity:
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __hash__(self) -> int:
        return id(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Identity) and other.value is self.value
