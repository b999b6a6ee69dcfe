"""A real HTTP server on a local port, in a thread, standing for a CRM that receives our webhooks: it records each
request (headers and raw body) and answers with the statuses it is told to, in order."""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answered in order; 200 once they run out
    delay_seconds: float = 0.0


class _Handler(BaseHTTPRequestHandler):
    receiver: Receiver

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
        if self.receiver.delay_seconds:
            time.sleep(self.receiver.delay_seconds)
        status = self.receiver.statuses.pop(0) if self.receiver.statuses else 200
        answer = b'{"ok": true}' if status < 300 else b'{"error": "no"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format, *args):  # quiet
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # Our client gave up waiting (a timeout under test) and closed the connection: expected, not a failure.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class running_receiver:
    """`with running_receiver() as receiver:` a server on 127.0.0.1, shut down when the block ends."""

    def __enter__(self) -> Receiver:
        self.server = _Server(("127.0.0.1", 0), _Handler)
        receiver = Receiver(url=f"http://127.0.0.1:{self.server.server_port}/hooks/leads")
        self.server.RequestHandlerClass = type("Handler", (_Handler,), {"receiver": receiver})
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return receiver

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
