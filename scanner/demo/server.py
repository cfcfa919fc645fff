"""A real HTTP server on 127.0.0.1 that replays recorded publisher responses.

Spiders are tested, and the demo runs, against real sockets instead of mocked responses, so
retries, timeouts, resets, truncated bodies and encodings behave as they do on the internet.
The responses are described by a manifest (a dict or a JSON file):

    {"routes": [{"method": "GET", "path": "/api/1.0/ocdsReleasePackages",
                 "query": {"cursor": "abc"}, "status": 200,
                 "headers": {"Content-Type": "application/json; charset=utf-8"},
                 "body_file": "fts/page-2.json",      # or "body": "inline text"
                 "template": true,                    # "{base_url}" -> http://127.0.0.1:PORT
                 "fault": null,                       # or "reset", "timeout", "truncate"
                 "times": null,                       # or N: stops matching after N hits
                 "body_contains": null}]}             # or text the request body must contain

The first route whose method and path are equal, whose `query` items are all present in the
request and whose `body_contains` (when set) is in the request body wins (a POST API such as
TED's carries its paging token in the body), so list specific routes before generic ones. Unmatched requests get a 404 JSON.
"""

from __future__ import annotations

import json
import select
import socket
import struct
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

FAULTS = frozenset({"reset", "timeout", "truncate"})


@dataclass
class Route:
    """One recorded response and the requests it answers."""

    method: str
    path: str
    query: dict[str, str]
    status: int
    headers: dict[str, str]
    body: bytes
    template: bool = False
    fault: str | None = None
    times: int | None = None
    body_contains: bytes | None = None
    hits: int = field(default=0, compare=False)

    def matches(
        self, method: str, path: str, query: Mapping[str, list[str]], body: bytes = b""
    ) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if method != self.method or path != self.path:
            return False
        if self.body_contains is not None and self.body_contains not in body:
            return False
        return all(value in query.get(key, []) for key, value in self.query.items())


def load_routes(manifest: Mapping[str, Any] | str | Path, base_dir: Path | None) -> list[Route]:
    """Read a manifest (dict or JSON file); `body_file` paths are relative to `base_dir`,
    which defaults to the manifest file's directory."""
    data: Mapping[str, Any]
    if isinstance(manifest, (str, Path)):
        path = Path(manifest)
        base_dir = base_dir or path.parent
        data = json.loads(path.read_text(encoding="utf-8"))
    else:
        data = manifest
    base_dir = base_dir or Path.cwd()
    routes = []
    for number, entry in enumerate(data.get("routes", []), start=1):
        fault = entry.get("fault")
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"route {number}: unknown fault {fault!r} (one of {sorted(FAULTS)})")
        headers = {str(k): str(v) for k, v in (entry.get("headers") or {}).items()}
        routes.append(
            Route(
                method=str(entry.get("method", "GET")).upper(),
                path=str(entry["path"]),
                query={str(k): str(v) for k, v in (entry.get("query") or {}).items()},
                status=int(entry.get("status", 200)),
                headers=headers,
                body=_route_body(entry, headers, base_dir),
                template=bool(entry.get("template", False)),
                fault=fault,
                times=entry.get("times"),
                body_contains=(
                    str(entry["body_contains"]).encode("utf-8")
                    if entry.get("body_contains") is not None
                    else None
                ),
            )
        )
    return routes


def _route_body(entry: Mapping[str, Any], headers: Mapping[str, str], base_dir: Path) -> bytes:
    """Files are served byte for byte (an ISO-8859-1 file stays ISO-8859-1); inline text is
    encoded in the charset its Content-Type declares, UTF-8 by default."""
    if entry.get("body_file"):
        return (base_dir / str(entry["body_file"])).read_bytes()
    body = entry.get("body", "")
    if not isinstance(body, str):
        body = json.dumps(body)
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    charset = "utf-8"
    for parameter in content_type.split(";")[1:]:
        key, _, value = parameter.strip().partition("=")
        if key.lower() == "charset" and value:
            charset = value.strip('"')
    return body.encode(charset)


class RecordedServer:
    """Serves recorded responses on a free port of 127.0.0.1 in a background thread.

    `with RecordedServer(manifest, base_dir) as server:` starts it; `server.base_url` is its
    address and `server.requests` the log of what it received (method, path, query, headers);
    `server.max_in_flight` the most requests it was answering at once.
    """

    def __init__(
        self,
        manifest: Mapping[str, Any] | str | Path,
        base_dir: str | Path | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self._lock = threading.Condition()
        self._in_flight = 0
        self.max_in_flight = 0
        self._routes = load_routes(manifest, Path(base_dir) if base_dir else None)
        self._requests: list[dict[str, Any]] = []
        self._stopping = threading.Event()
        self._httpd = _Server((host, port), _Handler)
        self._httpd.recorded = self
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def requests(self) -> list[dict[str, Any]]:
        """A copy of the request log, oldest first."""
        with self._lock:
            return [dict(entry) for entry in self._requests]

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> bool:
        """Block until the server has received `count` requests (True) or `timeout` passed."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self._requests) >= count, timeout)

    def load(
        self, manifest: Mapping[str, Any] | str | Path, base_dir: str | Path | None = None
    ) -> None:
        """Replace the routes (hit counts start again), keeping the port: a test can change
        what the publisher answers between two crawls that must see the same URLs."""
        routes = load_routes(manifest, Path(base_dir) if base_dir else None)
        with self._lock:
            self._routes = routes

    def start(self) -> RecordedServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},  # how long stop() waits for the loop to notice
            name="recorded-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases handlers holding a "timeout" connection
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> RecordedServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _answer(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
    ) -> Route | None:
        """Log the request and pick its route (counting the hit) under one lock."""
        with self._lock:
            self._requests.append(
                {
                    "method": method,
                    "path": path,
                    "query": {key: values[-1] for key, values in query.items()},
                    "headers": headers,
                    "body": body,
                }
            )
            self._lock.notify_all()
            for route in self._routes:
                if route.matches(method, path, query, body):
                    route.hits += 1
                    return route
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a hung client never keeps the process alive
    recorded: RecordedServer


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the request log is `RecordedServer.requests`."""

    def _handle(self) -> None:
        recorded = self.server.recorded
        with recorded._lock:
            recorded._in_flight += 1
            recorded.max_in_flight = max(recorded.max_in_flight, recorded._in_flight)
        try:
            self._respond(recorded)
        finally:
            with recorded._lock:
                recorded._in_flight -= 1

    def _respond(self, recorded: RecordedServer) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        route = recorded._answer(
            self.command,
            parts.path,
            parse_qs(parts.query, keep_blank_values=True),
            dict(self.headers.items()),
            body,
        )
        if route is None:
            self._send(
                404,
                {"Content-Type": "application/json"},
                json.dumps(
                    {"error": "no recorded response", "method": self.command, "path": self.path}
                ).encode(),
            )
            return
        if route.fault == "reset":
            self._reset()
            return
        if route.fault == "timeout":
            self._hold(recorded._stopping)
            return
        payload = route.body
        headers = dict(route.headers)
        if route.template:
            payload = payload.replace(b"{base_url}", recorded.base_url.encode("ascii"))
            headers = {k: v.replace("{base_url}", recorded.base_url) for k, v in headers.items()}
        if route.fault == "truncate":
            self._send(route.status, headers, payload, truncate=True)
            return
        self._send(route.status, headers, payload)

    def _send(
        self, status: int, headers: Mapping[str, str], payload: bytes, *, truncate: bool = False
    ) -> None:
        self.send_response(status)
        for key, value in headers.items():
            if key.lower() != "content-length":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        if truncate:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload[: len(payload) // 2] if truncate else payload)
        self.wfile.flush()
        if truncate:
            self.close_connection = True

    def _reset(self) -> None:
        """Close with an RST and no response: the client sees a connection reset."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def _hold(self, stopping: threading.Event) -> None:
        """Send nothing until the client hangs up or the server stops."""
        self.close_connection = True
        while not stopping.is_set():
            try:
                readable, _, _ = select.select([self.connection], [], [], 0.1)
                if readable and not self.connection.recv(1024):
                    return
            except OSError:
                return
