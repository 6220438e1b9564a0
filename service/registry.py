"""A name → class registry whose classes are imported on first use and kept as one stateless instance.

Transports (per channel) and booking platforms (per platform name) are found this way: adding one is
a class and one registration, and a module that fails to import breaks only its own name.
"""

from __future__ import annotations

from importlib import import_module
from typing import Generic, TypeVar

T = TypeVar("T")

__all__ = ["Registry"]


class Registry(Generic[T]):
    def __init__(self, entries: dict[str, str | type[T]]) -> None:
        self._entries: dict[str, str | type[T]] = dict(entries)
        self._instances: dict[str, T] = {}

    def names(self) -> tuple[str, ...]:
        return tuple(self._entries)

    def register(self, name: str, entry: str | type[T]) -> None:
        """Add or replace one entry: its class, or the class's dotted path."""
        self._entries[name] = entry
        self._instances.pop(name, None)

    def unregister(self, name: str) -> None:
        self._entries.pop(name, None)
        self._instances.pop(name, None)

    def get(self, name: str) -> T:
        """The entry's instance; KeyError for a name nobody registered."""
        if name not in self._instances:
            entry = self._entries[name]
            if isinstance(entry, str):
                module_name, class_name = entry.rsplit(".", 1)
                entry = getattr(import_module(module_name), class_name)
            self._instances[name] = entry()
        return self._instances[name]
