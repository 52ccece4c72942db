"""`loopbot sandbox`: the chat prompt on a local sandbox (local.py) or a running bot (remote.py)."""
