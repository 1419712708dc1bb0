"""Local fake servers on 127.0.0.1 replaying recorded payloads: HTTP and WebSocket.

Each server runs in a daemon thread on a free port and records what it was
asked, so a test can check the requests a collector made (cursors, conditional
GET headers, tokens) as well as what it stored.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request as WsRequest
from websockets.http11 import Response as WsResponse
from websockets.sync.server import ServerConnection, serve


@dataclass
class Request:
    """One request the fake server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes = b""

    def arg(self, name: str) -> str | None:
        """Return the first value of query parameter `name`, or None."""
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class Reply:
    """What the fake server answers: a status, headers and a body."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, value: Any, status: int = 200, **headers: str) -> Reply:
        body = value if isinstance(value, bytes) else orjson.dumps(value)
        return cls(status, body, {"Content-Type": "application/json", **headers})


class FakeHTTP:
    """An HTTP server answering each request with `handler(request)`; use as a context manager."""

    def __init__(self, handler: Callable[[Request], Reply]) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    self.command, parts.path, parse_qs(parts.query),
                    {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length),
                )  # fmt: skip
                fake.requests.append(request)
                reply = fake.handler(request)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeHTTP:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]


class FakeWebSocket:
    """A WebSocket server running `handler(connection)` per client; use as a context manager.

    `refuse` may answer the handshake instead (a 429, say): it gets the request
    and returns a (status, headers) pair, or None to accept.
    """

    def __init__(self, handler: Callable[[ServerConnection], None], *,
                 refuse: Callable[[WsRequest], tuple[int, dict[str, str]] | None] | None = None,
                 ) -> None:  # fmt: skip
        self.handler = handler
        self.refuse = refuse
        self.paths: list[str] = []
        self.headers: list[dict[str, str]] = []

        def process_request(connection: ServerConnection, request: WsRequest) -> WsResponse | None:
            self.paths.append(request.path)
            self.headers.append({k.lower(): v for k, v in request.headers.raw_items()})
            refused = self.refuse(request) if self.refuse else None
            if refused is None:
                return None
            status, headers = refused
            response = connection.respond(status, "refused by the test\n")
            response.headers = Headers({**dict(response.headers.raw_items()), **headers})
            return response

        self._server = serve(self._run, "127.0.0.1", 0, process_request=process_request)
        self.url = f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}"

    def _run(self, connection: ServerConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            self.handler(connection)

    def __enter__(self) -> FakeWebSocket:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()

    def query(self, i: int) -> dict[str, list[str]]:
        """The query parameters of the `i`-th connection."""
        return parse_qs(urlsplit(self.paths[i]).query)


def hold_open(connection: ServerConnection) -> None:
    """Keep a connection open, idle, until the client closes it."""
    try:
        for _ in connection:
            pass
    except ConnectionClosed:
        pass


class JetstreamReplay:
    """Replays Jetstream events from the `cursor` a client asks for, like Jetstream does.

    `drops` lists, per connection, after how many events the server cuts the
    connection without a close frame (a network failure); connections past the
    list send everything and stay open.
    """

    def __init__(self, events: Iterable[bytes], drops: Iterable[int] = ()) -> None:
        self.events = [(orjson.loads(e)["time_us"], e) for e in events]
        self.events.sort(key=lambda pair: pair[0])
        self.drops = list(drops)
        self.connections = 0
        self.sent = 0
        self.completed = 0  # connections that sent every event they were due

    def __call__(self, connection: ServerConnection) -> None:
        number = self.connections
        self.connections += 1
        query = parse_qs(urlsplit(connection.request.path).query)
        cursor = int(query["cursor"][0]) if "cursor" in query else None
        drop = self.drops[number] if number < len(self.drops) else None
        sent = 0
        for time_us, event in self.events:
            if cursor is not None and time_us < cursor:
                continue
            if drop is not None and sent >= drop:
                connection.socket.close()  # abrupt: no close frame
                return
            connection.send(event.decode())
            sent += 1
            self.sent += 1
        self.completed += 1
        hold_open(connection)


def jetstream_posts(template: bytes, n: int, *, start_us: int = 1_779_719_000_000_000,
                    step_us: int = 1_000) -> list[bytes]:  # fmt: skip
    """Make `n` post events shaped like the recorded `template`, with distinct rkeys and times."""
    event = orjson.loads(template)
    out = []
    for i in range(n):
        event["time_us"] = start_us + i * step_us
        event["commit"]["rkey"] = f"3zz{i:010d}"
        event["commit"]["record"]["text"] = f"post number {i} about Fleurissimo"
        out.append(orjson.dumps(event))
    return out


def collect_until(collector: Any, done: Callable[[], bool], *, timeout: float = 20.0) -> None:
    """Run `collector` in a thread until `done()` holds (or `timeout`), then stop it."""
    thread = threading.Thread(target=collector.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and not done():
            time.sleep(0.05)
    finally:
        collector.stop()
        thread.join(10)
    assert not thread.is_alive(), "the collector did not stop within 10 s"
