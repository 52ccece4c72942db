"""The store's named errors. None of their messages ever carries a database password."""

from __future__ import annotations


class StoreError(Exception):
    """The database cannot do what was asked (unreachable, misconfigured, misused)."""


class Unreachable(StoreError):
    """The database could not be reached (down, refused, the connection dropped): the
    call that raised it committed nothing (its transaction is rolled back), so the same
    command is safe to repeat once the database is back."""


class AlreadyExists(StoreError):
    """A unique rule of the schema refused the write: the release (service, version) or
    the ticket (release, env, attempt) is already recorded. Nothing of the refused write
    was stored and the unit of work stays usable."""


class StaleRelease(StoreError):
    """The release changed in the database since it was read (another command moved it):
    read it again and decide again. Nothing of the refused save was stored."""
