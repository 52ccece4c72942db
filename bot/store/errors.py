"""The store's named errors, declared with the port it implements
(bot/usecases/ports/records.py) so that the use cases catch them without importing the
store."""

from __future__ import annotations

from bot.usecases.ports import AlreadyExists, StaleRelease, StoreError, Unreachable

__all__ = ["AlreadyExists", "StaleRelease", "StoreError", "Unreachable"]
