"""Closing the Socket Mode connection without waiting out the client's timeouts.

slack_sdk's built-in client (1) reads the WebSocket with a 3 s timeout while holding the
lock its `close()` needs, and (2) takes messages from its queue with a 1 s timeout before
it looks whether it is closed: every close waited up to 4 s for nothing. Here the socket
is shut down first (the read returns no bytes at once) and an empty message wakes the
queue; the client's own `close()` then stops its threads as usual, without reconnecting.
"""

from __future__ import annotations

import contextlib
import socket

from slack_bolt.adapter.socket_mode import SocketModeHandler


def close(handler: SocketModeHandler) -> None:
    """Close `handler`'s connection and threads now (woken, not waited for)."""
    client = handler.client
    client.closed = True  # what the woken threads check before they wait again
    client.auto_reconnect_enabled = False  # the woken reader must not look like a drop
    sock = getattr(client.current_session, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed by the other side
            sock.shutdown(socket.SHUT_RDWR)
    client.message_queue.put(None)  # None is skipped by the processor
    handler.close()
