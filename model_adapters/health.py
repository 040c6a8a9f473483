"""When to stop asking: server health, the circuit breaker and the stall detector of the served adapter.

The adapter reports every try's outcome here; a server that refuses connections or says the model or the key is
wrong leaves the rotation, and a run whose servers keep failing (or stop answering) is stopped with the last
thing a server said, instead of spending hours on retries that cannot succeed. No HTTP in this module.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from spar_bench.errors import RequestError

__all__ = ["AdapterStopped", "ServerHealth"]

# Statuses that say the request can never succeed on this server: a wrong key, no such model or path.
FATAL_STATUSES = frozenset({401, 403, 404})


class AdapterStopped(RequestError):
    """The adapter stopped sending requests before every one was answered: its server(s) cannot answer.

    `reason` is what the server said (status, its error text and the URL) or why the run was given up (connection
    refused, no answer within the stall timeout). Responses that arrived before the stop were already handed to
    `on_response` (journaled); the requests not answered get no response. `unsent` counts requests never tried.
    """

    def __init__(self, reason: str, *, unsent: int = 0):
        super().__init__(reason)
        self.reason = reason
        self.unsent = unsent


class ServerHealth:
    """Outcomes of tries per server, and the decision to take a server out or to stop the whole run.

    - A server is taken out of the rotation (with a warning) when it refuses `dead_after` connections in a row,
      or answers 401/403/404, before any success since its last one; its requests go to the others.
    - The run stops (`stopped` is set) when no server is left, when `breaker_failures` tries in a row failed
      across all servers with no success in between (refusals and fatal statuses count only toward taking
      their server out), or when no try succeeded for `stall_timeout_s` while
      requests were waiting (`check_stall`).
    `warn` receives one line per server taken out.
    """

    def __init__(
        self,
        urls: Sequence[str],
        *,
        breaker_failures: int,
        dead_after: int,
        stall_timeout_s: float,
        warn: Callable[[str], None],
        clock: Callable[[], float] = time.monotonic,
    ):
        self.urls = list(urls)
        self.alive = [True] * len(self.urls)
        self.answered = [0] * len(self.urls)
        self.breaker_failures = breaker_failures
        self.dead_after = dead_after
        self.stall_timeout_s = stall_timeout_s
        self._warn = warn
        self._clock = clock
        self._refused_in_a_row = [0] * len(self.urls)
        self._failures_in_a_row = 0
        self._last_success = clock()
        self.stopped: str | None = None  # the reason, once the run must stop

    def success(self, server: int) -> None:
        self.answered[server] += 1
        self._refused_in_a_row[server] = 0
        self._failures_in_a_row = 0
        self._last_success = self._clock()

    def failure(self, server: int, *, message: str, refused: bool = False, status: int | None = None) -> None:
        """Record one failed try on `server`; `refused` for a connection that could not be made."""
        # A refusal or a fatal status speaks of one server: it takes that server out, and the run stops only when
        # none is left. Counting it toward the breaker too would let one dead URL among live ones stop the run.
        if refused:
            self._refused_in_a_row[server] += 1
            if self._refused_in_a_row[server] >= self.dead_after:
                self._take_out(server, f"it refused {self._refused_in_a_row[server]} connections in a row ({message})")
            return
        if status in FATAL_STATUSES and self.answered[server] == 0:
            self._take_out(server, message)
            return
        self._failures_in_a_row += 1
        if self.stopped is None and self._failures_in_a_row >= self.breaker_failures:
            self.stopped = (
                f"{self._failures_in_a_row} tries in a row failed with no answer in between; the last: {message}"
            )

    def _take_out(self, server: int, why: str) -> None:
        if not self.alive[server]:
            return
        self.alive[server] = False
        left = [url for url, alive in zip(self.urls, self.alive) if alive]
        if not left:
            self.stopped = (
                why if len(self.urls) == 1 else f"every server was taken out of the rotation; the last: {why}"
            )
            return
        self._warn(
            f"spar_openai: {self.urls[server]} taken out of the rotation: {why}; "
            f"its questions go to {len(left)} other server(s)"
        )

    def check_stall(self, waiting: int) -> None:
        """Stop when `waiting` requests exist and no try has succeeded for `stall_timeout_s`."""
        if self.stopped is None and waiting and self._clock() - self._last_success > self.stall_timeout_s:
            self.stopped = (
                f"no answer from any server for {self.stall_timeout_s:g} s (stall_timeout_s) with {waiting} "
                "request(s) waiting: the server accepts connections but does not answer"
            )
