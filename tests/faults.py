"""Shared machinery of the fault tests: real failures of the parts the site depends on.

- `closed_port()`: a TCP port of this machine on which nothing listens (kept bound, not
  listening, for the test's length, so nothing else takes it): connecting is refused at once.
- `silent_port()`: a port that accepts connections and never says a word, as a server that
  hangs does: only a timeout ends the wait.
- `redis_server()`: a Redis of the test's own (Debian's `redis-server`), stopped after.
- `database_unreachable()`: the default database moved to such a port — every new connection
  is refused, as when PostgreSQL is down — and put back after.
- `terminate_backend(pid)`: a PostgreSQL backend ended from another connection, as an
  administrator or a failover does, in the middle of whatever it was doing.
- `read_only_directory(path)`: a folder nobody may write in, even root (whom permissions do not
  stop: the immutable attribute does).
"""

from __future__ import annotations

import errno
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connections

from core.uploads import TemporaryFileUploadHandler


@contextmanager
def closed_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as bound:
        bound.bind(("127.0.0.1", 0))  # bound but never listening: a connection is refused
        yield bound.getsockname()[1]


@contextmanager
def silent_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen(16)  # the kernel completes the handshakes; nobody ever answers
        yield listening.getsockname()[1]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def redis_server() -> Iterator[str]:
    """The URL of a fresh Redis, nothing saved to disk; skipped where Debian's `redis-server`
    is not installed, failed instead when `CI` is set."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("The health tests need redis-server in CI.")
        pytest.skip("No redis-server: install Debian's 'redis-server' package.")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as client:
                    client.sendall(b"PING\r\n")
                    if client.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail(f"redis-server did not start on port {port}")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def database_unreachable(alias: str = "default") -> Iterator[None]:
    """The database of `alias` gone until the block ends, as when its server stops: every open
    connection to it ended (PostgreSQL) and every new one refused — the test's own included, so
    run it in a transactional test. The settings are the same dict every thread's connection
    is made from, so a live server's requests lose the database too, even on a connection a
    kept-alive browser connection's thread still holds."""
    connection = connections[alias]
    settings_dict = connection.settings_dict
    saved = {key: settings_dict[key] for key in ("HOST", "PORT")}
    with closed_port() as port:
        connection.close()
        if connection.vendor == "postgresql":
            with admin_connection(alias) as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    [settings_dict["NAME"]],
                )
        settings_dict.update(HOST="127.0.0.1", PORT=str(port))
        try:
            yield
        finally:
            settings_dict.update(saved)
            connection.close()  # a connection attempt that failed leaves nothing to reuse


def admin_connection(alias: str = "default"):
    """A psycopg connection of its own to the test database, in autocommit."""
    import psycopg

    params = connections[alias].settings_dict
    return psycopg.connect(
        dbname=params["NAME"],
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        autocommit=True,
    )


def terminate_backend(pid: int) -> None:
    """End the PostgreSQL backend `pid`, and wait until it is gone."""
    with admin_connection() as admin:
        ended = admin.execute("SELECT pg_terminate_backend(%s, 5000)", [pid]).fetchone()[0]
    assert ended, f"backend {pid} was not terminated"


def _writable(path: Path) -> bool:
    probe = path / ".write-probe"
    try:
        probe.mkdir()
    except OSError:
        return False
    probe.rmdir()
    return True


@contextmanager
def read_only_directory(path: Path) -> Iterator[Path]:
    """`path` (a folder) refuses every new entry until the block ends."""
    mode = path.stat().st_mode
    os.chmod(path, 0o555)
    immutable = False
    try:
        if _writable(path):  # root ignores permissions
            result = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
            immutable = result.returncode == 0
            if not immutable or _writable(path):
                pytest.fail(f"Cannot make {path} read-only here: {result.stderr.strip()}")
        yield path
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        os.chmod(path, mode)


class TemporaryFolderFills(TemporaryFileUploadHandler):
    """The temporary folder fills up while an upload is written to it, as Django reads the
    request: the first bytes reach the file, then the error (name it in FILE_UPLOAD_HANDLERS
    as `tests.faults.TemporaryFolderFills`)."""

    full_errno = errno.ENOSPC

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        temporary = self.file.file
        write = temporary.write

        def fill_up(data):
            write(data[:8])
            raise OSError(self.full_errno, os.strerror(self.full_errno))

        temporary.write = fill_up


class TemporaryFolderOverQuota(TemporaryFolderFills):
    full_errno = errno.EDQUOT
