"""A wall-clock bound on everything done with one socket: a server that trickles a byte just inside each read's
timeout could otherwise hold the doctor for as long as it likes. When the time is up the socket is shut down (which
wakes a blocked read in another thread), so the read fails at once and the caller reports a timeout.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class Deadline:
    seconds: float
    expired: bool = False


@contextmanager
def bounded(sock: socket.socket, seconds: float) -> Iterator[Deadline]:
    """Shut `sock` down for reading and writing once `seconds` have passed, unless the block has ended by then."""
    deadline = Deadline(seconds)

    def cut() -> None:
        deadline.expired = True
        with contextlib.suppress(OSError):  # already closed: nothing left to stop
            socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the base method: a TLS socket's state is left alone

    timer = threading.Timer(seconds, cut)
    timer.daemon = True
    timer.start()
    try:
        yield deadline
    finally:
        timer.cancel()
