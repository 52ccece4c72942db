"""The Bugzilla stand-in: Bugzilla 5's REST API (standin.py), its data, workflow and searches."""
