"""Alembic's migrations of the bot's database; run them with `loopbot db upgrade`
(bot/store/schema.py). Add a revision with `loopbot db revision -m "what changes"`."""
