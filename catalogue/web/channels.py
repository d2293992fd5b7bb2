"""Waitress, hardened: slow and many clients cannot starve the server, and the answers waitress
writes itself (400, 413, 431, 500) carry our security headers.

Waitress keeps a connection as long as bytes trickle in (``channel_timeout`` counts idle time
only) and stops accepting at ``connection_limit``: 150 clients sending a header byte every few
seconds held all 100 places, and every other visitor waited in the listen queue (issue 14). So:

- a request must arrive whole in bounded time: its headers within HEADER_SECONDS of its first
  byte, the whole of it within REQUEST_SECONDS (a 4 MB upload from a slow phone fits);
  a connection that overstays is closed;
- an idle keep-alive connection is closed after IDLE_SECONDS;
- at the connection limit the server does not stop accepting: it closes the connections that
  are not being answered and have waited longest (half-sent requests first), so a new visitor
  is always let in; the limit itself is CONNECTIONS, polled with ``poll()`` (no 1,024-descriptor
  ``select()`` ceiling);
- headers and bodies are capped (HEADER_BYTES, BODY_BYTES: above the checker's upload limit),
  so waitress never spools a 1 GB body to disk before the app can refuse it.

Waitress answers malformed or oversized requests (and a failure outside Flask) with its own
ErrorTask, never through the app: :class:`GuardedErrorTask` adds the headers of
:mod:`catalogue.web.security` to those answers.
"""
from __future__ import annotations

import time

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher

from .security import HEADERS

#: Seconds from a request's first byte to the end of its headers.
HEADER_SECONDS = 10.0
#: Seconds from a request's first byte to the end of its body.
REQUEST_SECONDS = 60.0
#: Seconds an idle keep-alive connection stays open.
IDLE_SECONDS = 30
#: Open connections at most (each costs a socket and a few KB).
CONNECTIONS = 500
#: How often deadlines are checked, in seconds.
SWEEP_SECONDS = 1
#: Largest request head (request line and headers), and body, waitress reads.
HEADER_BYTES = 64 * 1024
BODY_BYTES = 8 * 1024 * 1024
#: At the connection limit, close this share of the connections at once (not one per accept).
EVICT_SHARE = 0.1


def adjustments(**given) -> Adjustments:
    """Waitress's settings with the bounds above; ``given`` (host, port, sockets, threads ...) wins."""
    settings = {
        "channel_timeout": IDLE_SECONDS,
        "cleanup_interval": SWEEP_SECONDS,
        "connection_limit": CONNECTIONS,
        "asyncore_use_poll": True,
        "max_request_header_size": HEADER_BYTES,
        "max_request_body_size": BODY_BYTES,
        "ident": "catalogue",
    }
    settings.update(given)
    return Adjustments(**settings)


class GuardedErrorTask(ErrorTask):
    """Waitress's own error answer (400, 413, 431, 500 ...) with our security headers."""

    def execute(self):
        status, headers, body = self.request.error.to_response(self.channel.server.adj.ident)
        self.status = status
        self.response_headers.extend(headers)
        self.response_headers.extend(HEADERS.items())
        self.response_headers.append(("Cache-Control", "no-store"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class GuardedChannel(HTTPChannel):
    """A connection that remembers when the request it is reading began."""

    error_task_class = GuardedErrorTask
    #: time.time() (waitress's clock) of the first byte of the request being read; 0: none.
    request_started = 0.0

    def received(self, data):
        if data and self.request is None:
            self.request_started = time.time()
        done = super().received(data)
        if self.request is None:
            self.request_started = 0.0
        return done

    def overdue(self, now: float, header_seconds: float, request_seconds: float) -> bool:
        """Whether the request being read has taken too long (its headers, or the whole of it)."""
        request = self.request
        if request is None or not self.request_started:
            return False
        spent = now - self.request_started
        return spent > request_seconds or (spent > header_seconds and not request.headers_finished)


class GuardedServer(TcpWSGIServer):
    """A waitress TCP server with request deadlines and eviction at the connection limit."""

    channel_class = GuardedChannel
    header_seconds = HEADER_SECONDS
    request_seconds = REQUEST_SECONDS
    #: Connections closed for a request that came too slowly, and to make room at the limit.
    timed_out = 0
    evicted = 0

    def maintenance(self, now):
        super().maintenance(now)  # idle keep-alive connections past channel_timeout
        for channel in list(self.active_channels.values()):
            if not channel.will_close and not channel.requests \
                    and channel.overdue(now, self.header_seconds, self.request_seconds):
                channel.will_close = True
                self.timed_out += 1

    def readable(self):
        if self.accepting and len(self._map) >= self.adj.connection_limit:
            self.evict()
        return super().readable()

    def evict(self) -> int:
        """Close the connections that have waited longest without an answer being made for
        them (half-sent requests first, then idle keep-alives); answers how many."""
        waiting = [c for c in self.active_channels.values() if not c.requests and not c.will_close]
        waiting.sort(key=lambda c: (c.request is None, c.request_started or c.last_activity))
        chosen = waiting[:max(1, int(self.adj.connection_limit * EVICT_SHARE))]
        for channel in chosen:
            channel.will_close = True
        if chosen and not self.evicted:  # said once, not at every full house
            self.logger.warning("connection limit (%d) reached: closing the connections that waited longest "
                                "without sending a whole request", self.adj.connection_limit)
        self.evicted += len(chosen)
        return len(chosen)


def create_guarded_server(app, header_seconds: float = HEADER_SECONDS, request_seconds: float = REQUEST_SECONDS,
                          **given) -> GuardedServer:
    """A bound (not yet running) GuardedServer for ``app``: create_guarded_server(app, host='127.0.0.1',
    port=0, threads=8), or ``sockets=[sock]`` to serve on an already listening socket; waitress
    settings in ``given`` (connection_limit=100 ...) replace the bounds above."""
    adj = adjustments(**given)
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    if adj.sockets:
        sock = adj.sockets[0]
        sockinfo = (sock.family, sock.type, sock.proto, sock.getsockname())
        server = GuardedServer(app, {}, True, sock, dispatcher=dispatcher, adj=adj, bind_socket=False,
                               sockinfo=sockinfo)
    else:
        server = GuardedServer(app, {}, dispatcher=dispatcher, adj=adj, sockinfo=adj.listen[0])
    server.header_seconds, server.request_seconds = header_seconds, request_seconds
    return server
