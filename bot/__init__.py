"""loopbot: a Slack bot that runs a web service's release process end to end."""

SOURCE = "https://github.com/mozilla-services/loopbot"  # the bot's own repository
