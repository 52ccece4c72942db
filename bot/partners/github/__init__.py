"""The GitHub adapter: `GitHubForge` (forge.py), the Forge port over PyGithub, and the
modules it delegates to, by meaning: the per-thread client, tags and branches, history
reads, contents (files and the release commit), cherry-picks, GitHub releases, errors."""

from bot.partners.github.forge import GitHubForge

__all__ = ["GitHubForge"]
