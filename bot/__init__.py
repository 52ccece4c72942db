"""loopbot: a Slack bot that runs a web service's release process end to end."""
