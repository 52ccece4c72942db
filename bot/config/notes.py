"""Release-note settings of one service (`notes:` in app.yaml): the CHANGELOG categories
given by the files a bug's commits change, and how many commits' files one changelog may
read from GitHub (one request each). Validated like the rest of the settings."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from bot.config.options import StrictModel
from bot.domain.changelog_voice import MIN_ENTRIES

DEFAULT_MAX_COMMIT_FILE_READS = 100


class NotesSettings(StrictModel):
    # Category -> path patterns, tried in this order (patterns as `api_versions`: `*`
    # within one folder, `**` any folders): {config: ["config/**"]}. None: words only.
    file_categories: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    # Commits whose files one changelog reads (one GitHub request per commit not read
    # before); the bugs of the commits beyond it are categorised from words.
    max_commit_file_reads: int = Field(default=DEFAULT_MAX_COMMIT_FILE_READS, ge=0,
                                       le=1000)
    # The CHANGELOG whose categorised entries teach the notes the team's words: by
    # default the one the release commit edits (read anyway: no request more); a path
    # here costs one GitHub request per preview when the release commit edits no such file.
    learn_from: str | None = Field(default=None, min_length=1)
    # Entries the CHANGELOG needs before its words decide (fewer: the fixed word list).
    learn_min_entries: int = Field(default=MIN_ENTRIES, ge=1)

    @field_validator("file_categories")
    @classmethod
    def _named_with_patterns(cls, value: dict[str, tuple[str, ...]]
                             ) -> dict[str, tuple[str, ...]]:
        for name, patterns in value.items():
            if not re.fullmatch(r"[a-z][a-z0-9-]*", name):
                raise ValueError(f"category {name!r}: lowercase letters, digits and -")
            if not patterns or any(not p.strip("/ ") for p in patterns):
                raise ValueError(f"category {name!r}: give at least one non-empty pattern")
        return value
