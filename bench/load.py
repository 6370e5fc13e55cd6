"""The benchmarks' load driver: C connections hitting one address, for a time or a count.

Run by `bench.harness.drive` as a process of its own, and each connection is a process of its own
too: a floor of half a millisecond is measured only if the client spends less than that per
request, which threads sharing one GIL do not manage (four threads with `http.client` doubled the
floor's p50). Standard library only; the request is written once, as bytes, and the answer read
with a minimal HTTP/1.1 parser (Content-Length, chunked, or until the server closes). The
connection is kept alive when the server allows it; gunicorn's sync workers close it after each
answer, and it is opened again, as wrk does. Redirects are not followed: a 302 is an answer like
any other, counted under its status.

Prints one JSON object: every request's latency in seconds (from sending, the connection included
when one had to be opened, to the last byte of the body), the count of each status and of each
`X-Bench-Queries` value, the errors (requests that failed outright), the bytes received and the
elapsed time.

    python bench/load.py URL [--connections 4] [--duration 10 | --count 200]
        [--header 'Name: value']... [--cookie 'sessionid=…']... [--requests FILE]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import socket
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

QUERIES_HEADER = b"x-bench-queries"


class Answer:
    """What one response said: its status, the query count, its size, and whether the server
    closes the connection after it."""

    __slots__ = ("status", "queries", "size", "closes")

    def __init__(self, status: int, queries: str | None, size: int, closes: bool):
        self.status, self.queries, self.size, self.closes = status, queries, size, closes


class Connection:
    """One HTTP/1.1 connection sending its requests in turn (one request: again and again)."""

    def __init__(self, host: str, port: int, requests: list[bytes]):
        self.address = (host, port)
        self.requests = requests
        self.request = requests[0]
        self.sock: socket.socket | None = None
        self.buffer = b""

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buffer = None, b""

    def _more(self) -> bytes:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection mid-answer")
        return chunk

    def _read_until(self, marker: bytes) -> bytes:
        while marker not in self.buffer:
            self.buffer += self._more()
        head, self.buffer = self.buffer.split(marker, 1)
        return head

    def _read_exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self.buffer += self._more()
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def _read_to_close(self) -> bytes:
        data = self.buffer
        while chunk := self.sock.recv(65536):
            data += chunk
        self.buffer = b""
        return data

    def _read_chunked(self) -> int:
        size = 0
        while True:
            length = int(self._read_until(b"\r\n").split(b";", 1)[0], 16)
            self._read_exactly(length + 2)  # the chunk and its CRLF
            size += length
            if length == 0:
                return size

    def get(self) -> Answer:
        if self.sock is None:
            return self._get()
        try:
            return self._get()
        except (ConnectionError, TimeoutError):
            # A kept-alive connection the server has closed meanwhile: once more on a new one.
            self.close()
            return self._get()

    def _get(self) -> Answer:
        if self.sock is None:
            self.sock = socket.create_connection(self.address, timeout=120)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(self.request)
        head = self._read_until(b"\r\n\r\n").split(b"\r\n")
        status = int(head[0].split(b" ", 2)[1])
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        closes = headers.get(b"connection", b"").lower() == b"close"
        if b"content-length" in headers:
            size = len(self._read_exactly(int(headers[b"content-length"])))
        elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            size = self._read_chunked()
        else:
            size, closes = len(self._read_to_close()), True
        queries = headers.get(QUERIES_HEADER)
        return Answer(status, queries.decode() if queries else None, size, closes)


def request_bytes(
    url: str, headers: dict[str, str], *, method: str = "GET", body: str = ""
) -> tuple[str, int, bytes]:
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    data = body.encode()
    lines = [f"{method} {path} HTTP/1.1", f"Host: {parts.netloc}", "Accept: */*"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if method != "GET":
        lines.append(f"Content-Length: {len(data)}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return parts.hostname, parts.port or 80, head + data


def _next_listed(taken, limit: int) -> int | None:
    """The index of the next listed request no connection has taken yet (None: all are)."""
    with taken.get_lock():
        index = taken.value
        if index >= limit:
            return None
        taken.value += 1
    return index


def connection_loop(url, headers, start_at, duration, count, share, results, listed, taken):
    """One connection's requests (a process of its own), sent to `results` when done.

    `listed`: requests (method, path, headers, body) that the connections take in turn from the
    shared counter `taken`, so that each is sent once and those sent are the list's first ones;
    a connection stops when none is left. Otherwise it sends the one request of `url` and
    `headers` again and again."""
    if listed is not None and not listed:  # nothing left to send
        results.put(([], {}, {}, [], 0, 0))
        return
    if listed:
        built = [
            request_bytes(
                url + item["path"],
                {**headers, **item["headers"]},
                method=item["method"],
                body=item["body"],
            )
            for item in listed
        ]
        host, port = built[0][:2]
        requests = [request for _host, _port, request in built]
    else:
        host, port, request = request_bytes(url, headers)
        requests = [request]
    connection = Connection(host, port, requests)
    latencies, statuses, queries, errors, received = [], Counter(), Counter(), [], 0
    while time.time() < start_at:
        time.sleep(0.0005)
    deadline = time.perf_counter() + duration if duration is not None else None
    done = 0
    while (deadline is None or time.perf_counter() < deadline) and (count is None or done < share):
        if listed:
            index = _next_listed(taken, len(requests))
            if index is None:
                break
            connection.request = requests[index]
        done += 1
        start = time.perf_counter()
        try:
            answer = connection.get()
        except (OSError, ValueError, IndexError) as error:
            connection.close()  # opened again by the next request
            errors.append(f"{type(error).__name__}: {error}")
            continue
        latencies.append(time.perf_counter() - start)
        if answer.closes:
            connection.close()
        statuses[str(answer.status)] += 1
        if answer.queries is not None:
            queries[answer.queries] += 1
        received += answer.size
    connection.close()
    results.put((latencies, dict(statuses), dict(queries), errors, received, done))


def run(
    url: str,
    *,
    connections: int = 4,
    duration: float | None = None,
    count: int | None = None,
    headers: dict[str, str] | None = None,
    cookies: list[str] | None = None,
    listed: list[dict] | None = None,
) -> dict:
    """Hit `url` for `duration` seconds or `count` requests in all; the tally as a dict.

    With `listed` (requests of `url`'s site, each a dict of method, path, headers and body) the
    connections take them in turn, each once, from the first; `sent` says how many were."""
    if (duration is None) == (count is None):
        raise ValueError("Give a duration or a count.")
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    taken = context.Value("i", 0)  # how many listed requests the connections have taken
    # Every connection starts at the same moment, once all the processes are up.
    start_at = time.time() + 0.2 + 0.02 * connections
    processes = []
    for index in range(connections):
        own = dict(headers or {})
        if cookies:
            own["Cookie"] = cookies[index % len(cookies)]
        share = None if count is None else count // connections + (index < count % connections)
        processes.append(
            context.Process(
                target=connection_loop,
                args=(
                    url,
                    own,
                    start_at,
                    duration,
                    count,
                    share,
                    results,
                    listed,
                    taken,
                ),
            )
        )
    for process in processes:
        process.start()
    found = [results.get() for _ in processes]
    elapsed = time.time() - start_at
    for process in processes:
        process.join()
    tally = {
        "url": url,
        "connections": connections,
        "elapsed": elapsed,
        "latencies": [],
        "statuses": Counter(),
        "queries": Counter(),
        "errors": [],
        "bytes": 0,
        "sent": 0,
    }
    for latencies, statuses, queries, errors, received, sent in found:
        tally["latencies"] += latencies
        tally["statuses"].update(statuses)
        tally["queries"].update(queries)
        tally["errors"] += errors
        tally["bytes"] += received
        tally["sent"] += sent
    tally["statuses"], tally["queries"] = dict(tally["statuses"]), dict(tally["queries"])
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--duration", type=float, help="seconds")
    parser.add_argument("--count", type=int, help="requests in all")
    parser.add_argument("--header", action="append", default=[], help="'Name: value'")
    parser.add_argument(
        "--cookie", action="append", default=[], help="a Cookie header; connections take turns"
    )
    parser.add_argument(
        "--requests",
        help="a JSON file: a list of requests (method, path, headers, body) of URL's site, "
        "taken in turn by the connections, each sent once",
    )
    args = parser.parse_args(argv)
    if (args.duration is None) == (args.count is None):
        parser.error("give --duration or --count")
    headers = {}
    for line in args.header:
        name, _, value = line.partition(":")
        headers[name.strip()] = value.strip()
    result = run(
        args.url,
        connections=args.connections,
        duration=args.duration,
        count=args.count,
        headers=headers,
        cookies=args.cookie,
        listed=json.loads(Path(args.requests).read_text()) if args.requests else None,
    )
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
