"""Local stand-ins for the bot's partners (GitHub, Bugzilla, Slack, the environments).

Each is a real HTTP server on 127.0.0.1 that the real client libraries talk to, used by
the tests and by `loopbot sandbox`.
"""
