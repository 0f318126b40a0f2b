"""What a plugin the engine starts writes: its port as the first line of stdout, then whatever it prints.

The engine starts every plugin (a policy pack, a provider) the same way: a process whose first stdout line is
its gRPC port, with stdout and stderr drained for as long as it runs so that it never blocks on a full pipe.
`PluginOutput` does that for one process, on two daemon threads, for the pack driver and the provider driver
alike.
"""

from __future__ import annotations

import queue
import subprocess
import threading
from typing import IO


class PluginOutput:
    """The first stdout line (the port, or "" if the process ended first), later stdout lines, stderr lines."""

    def __init__(self, popen: subprocess.Popen[bytes]) -> None:
        assert popen.stdout is not None and popen.stderr is not None, "start the plugin with stdout/stderr=PIPE"
        self._popen = popen
        self.stdout_lines: list[str] = []
        self.stderr_lines: list[str] = []
        self._first_line: queue.Queue[str] = queue.Queue(maxsize=1)
        self._threads = [
            threading.Thread(target=self._pump_stdout, args=(popen.stdout,), daemon=True),
            threading.Thread(target=self._pump_stderr, args=(popen.stderr,), daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def first_line(self, timeout: float) -> str | None:
        """The first line the plugin printed, waiting at most `timeout` seconds; None if it printed none by then."""
        try:
            return self._first_line.get(timeout=timeout)
        except queue.Empty:
            return None

    def drained(self, timeout: float) -> None:
        """After the process has ended: wait (bounded) until everything it wrote has been read."""
        for thread in self._threads:
            thread.join(timeout=timeout)

    def close(self) -> None:
        """After the process has ended: stop draining and close the pipes."""
        self.drained(timeout=5)
        for stream in (self._popen.stdout, self._popen.stderr):
            if stream is not None:
                stream.close()

    def _pump_stdout(self, stream: IO[bytes]) -> None:
        self._first_line.put(stream.readline().decode("utf-8", "replace"))
        for raw in iter(stream.readline, b""):
            self.stdout_lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def _pump_stderr(self, stream: IO[bytes]) -> None:
        for raw in iter(stream.readline, b""):
            self.stderr_lines.append(raw.decode("utf-8", "replace"))
