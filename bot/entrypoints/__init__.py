"""Ways into the bot: the `loopbot` command, the WSGI server and its routes (Slack, board,
Dockerflow, calendar), the Bolt app, the wiring of the use cases and the scheduler.
"""
