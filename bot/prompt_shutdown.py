"""A socketserver loop that stops as soon as it is asked.

The standard library's `serve_forever(poll_interval)` sees `shutdown()` only when its
select wakes up, so every stop waits up to a poll interval (the in-process bot server and
each stand-in paid it on every test's teardown), and a short interval keeps an idle server
waking up. `PromptShutdown` selects on the listening socket and on a socket pair that
`shutdown()` writes to: the loop ends at once and never needs to wake up on its own.
"""

from __future__ import annotations

import selectors
import socket
import socketserver
import threading
from typing import Any


class PromptShutdown(socketserver.TCPServer):
    """Put it first among a server class's bases: `class S(PromptShutdown, TCPServer)`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._wake_in, self._wake_out = socket.socketpair()
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self._stopped.set()  # not serving: shutdown() of a server never started returns

    def serve_forever(self, poll_interval: float | None = None) -> None:
        """Serve until `shutdown()`; `poll_interval`: how often `service_actions` runs
        when idle (None: only after requests)."""
        self._stopped.clear()
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self, selectors.EVENT_READ)
                selector.register(self._wake_in, selectors.EVENT_READ)
                while not self._stopping.is_set():
                    ready = selector.select(poll_interval)
                    if self._stopping.is_set():
                        break
                    if any(key.fileobj is self for key, _ in ready):
                        self._handle_request_noblock()  # type: ignore[attr-defined]
                    self.service_actions()
        finally:
            self._stopping.clear()
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop the loop and wait until it has ended (from another thread only)."""
        self._stopping.set()
        self._wake_out.send(b"\0")
        self._stopped.wait()
        self._wake_in.recv(64)  # the loop may run again: it must not wake at once

    def server_close(self) -> None:
        super().server_close()
        self._wake_in.close()
        self._wake_out.close()
