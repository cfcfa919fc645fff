"""The recorded-response server the spider tests and the demo crawl against."""

from __future__ import annotations

import http.client
import json
import socket
from pathlib import Path

import pytest

from scanner.demo.server import RecordedServer


def get(
    server: RecordedServer, target: str, timeout: float = 5.0
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        connection.request("GET", target, headers={"User-Agent": "test-agent/1.0"})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_first_route_whose_query_items_are_all_present_wins() -> None:
    manifest = {
        "routes": [
            {"path": "/packages", "query": {"cursor": "abc"}, "body": "page 2"},
            {"path": "/packages", "body": "page 1"},
        ]
    }
    with RecordedServer(manifest) as server:
        assert get(server, "/packages?limit=100&cursor=abc")[2] == b"page 2"
        assert get(server, "/packages?limit=100")[2] == b"page 1"
        assert get(server, "/packages?cursor=other")[2] == b"page 1"


def test_route_with_times_stops_matching_after_that_many_hits() -> None:
    manifest = {
        "routes": [
            {"path": "/p", "status": 500, "body": "boom", "times": 1},
            {"path": "/p", "body": "fine"},
        ]
    }
    with RecordedServer(manifest) as server:
        assert get(server, "/p")[0] == 500
        assert get(server, "/p")[:3:2] == (200, b"fine")


def test_unmatched_request_gets_a_json_404() -> None:
    with RecordedServer({"routes": []}) as server:
        status, headers, body = get(server, "/nothing?x=1")
    assert status == 404
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["path"] == "/nothing?x=1"


def test_body_files_are_served_byte_for_byte_and_templated(tmp_path: Path) -> None:
    (tmp_path / "latin.json").write_bytes(
        '{"next": "{base_url}/p", "price": "£5"}'.encode("latin-1")
    )
    manifest = {
        "routes": [
            {
                "path": "/p",
                "body_file": "latin.json",
                "template": True,
                "headers": {"Content-Type": "application/json; charset=iso-8859-1"},
            }
        ]
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with RecordedServer(tmp_path / "manifest.json") as server:
        _, headers, body = get(server, "/p")
        expected = f'{{"next": "{server.base_url}/p", "price": "£5"}}'.encode("latin-1")
    assert body == expected
    assert headers["Content-Length"] == str(len(expected))


def test_request_log_records_query_and_user_agent() -> None:
    with RecordedServer({"routes": [{"path": "/p", "body": "{}"}]}) as server:
        get(server, "/p?updatedFrom=2026-07-01T00%3A00%3A00&limit=100")
        (request,) = server.requests
    assert request["method"] == "GET"
    assert request["query"] == {"updatedFrom": "2026-07-01T00:00:00", "limit": "100"}
    assert request["headers"]["User-Agent"] == "test-agent/1.0"


def test_reset_fault_closes_the_connection_without_a_response() -> None:
    server = RecordedServer({"routes": [{"path": "/p", "fault": "reset"}]})
    with server, pytest.raises((ConnectionError, http.client.RemoteDisconnected)):
        get(server, "/p")


def test_truncate_fault_sends_half_the_declared_body() -> None:
    body = '{"releases": [' + ", ".join(['{"ocid": "x"}'] * 20) + "]}"
    server = RecordedServer({"routes": [{"path": "/p", "body": body, "fault": "truncate"}]})
    with server, pytest.raises(http.client.IncompleteRead) as caught:
        get(server, "/p")
    assert len(caught.value.partial) == len(body) // 2


def test_timeout_fault_sends_nothing_and_does_not_block_shutdown() -> None:
    server = RecordedServer({"routes": [{"path": "/p", "fault": "timeout"}]}).start()
    try:
        with pytest.raises(socket.timeout):
            get(server, "/p", timeout=0.3)
        client = socket.create_connection(("127.0.0.1", server.port))
        client.sendall(b"GET /p HTTP/1.1\r\nHost: x\r\n\r\n")
        assert server.wait_for_requests(2)
    finally:
        server.stop()  # returns although the second client is still waiting
    client.close()


def test_load_replaces_the_routes_and_keeps_the_port() -> None:
    with RecordedServer({"routes": [{"path": "/p", "body": "before"}]}) as server:
        port = server.port
        server.load({"routes": [{"path": "/p", "body": "after"}]})
        assert get(server, "/p")[2] == b"after"
        assert server.port == port
