"""The Slack stand-in: the Web API and response URLs (standin.py), and what Slack sends to a
bot, signed (signed.py).
"""
