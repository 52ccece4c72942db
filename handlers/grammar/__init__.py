"""The `/loop` language: declarations, words, intents, the subcommands by family, the parser
and help.
"""
