"""A local HTTP server standing in for the MNIST mirrors in the download tests.

Each route maps a URL path to a :class:`Reply`; any other path answers 404. The server listens
on 127.0.0.1 on a free port, runs in a background thread, and records the paths requested, so
the tests never reach the internet.
"""
import contextlib
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ch3_code.mnist import download


@dataclass
class Reply:
    """What to answer: a status, a body, and optionally a (false) larger Content-Length."""

    body: bytes = b""
    status: int = 200
    cut_off: bool = False  # announce the full length but send only the first half, then close
    trickle: float = 0.0   # if > 0: send the body one byte at a time, this many seconds apart

    def send(self, handler):
        handler.send_response(self.status)
        handler.send_header("Content-Length", str(len(self.body)))
        handler.end_headers()
        if self.trickle:
            self._trickle(handler.wfile)
            return
        handler.wfile.write(self.body[:len(self.body) // 2] if self.cut_off else self.body)

    def _trickle(self, out):
        """Never silent for long, never done soon: a mirror the read timeout cannot catch."""
        try:
            for i in range(len(self.body)):
                out.write(self.body[i:i + 1])
                out.flush()
                time.sleep(self.trickle)
        except OSError:  # the client gave up and closed the connection
            pass


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.requested.append(self.path)
        reply = self.server.routes.get(self.path, Reply(b"not found", status=404))
        reply.send(self)
        self.close_connection = True

    def log_message(self, *args):
        """Keep the test output quiet."""


@contextlib.contextmanager
def serve(routes):
    """Serve ``routes`` ({path: Reply}); yields the server (``.url``, ``.requested``)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.routes, server.requested = routes, []
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    # a short poll interval: shutdown() waits for it
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port_url():
    """A URL on 127.0.0.1 where nothing listens: connecting fails at once, as with no network."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist/"


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    """No test may reach the internet, nor see the user's own settings or cache (autouse in
    every test module that imports it)."""
    monkeypatch.setattr(download, "MIRRORS", (closed_port_url(),))
    monkeypatch.delenv("CH3_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
