"""A small OpenAI-chat-completions-compatible HTTP server, for tests and local use.

    python -m persona_env.llm.server --model PATH_OR_ID --port 8000
    # then: OpenAICompatibleBackend("http://127.0.0.1:8000/v1", model="PATH_OR_ID")

Serves ``POST /v1/chat/completions`` (non-streaming; ``messages``, ``max_tokens`` /
``max_completion_tokens``, ``temperature``, ``seed``) and ``GET /v1/models`` over any
:class:`~persona_env.llm.backends.ChatBackend` (a :class:`TransformersBackend` from the command
line). It is built on the standard library's ``ThreadingHTTPServer`` and binds to 127.0.0.1
only. Requests are answered one generation at a time (the backend holds a lock).

Test modes: ``delay_s`` sleeps that long before answering (a slow server), ``malformed=True``
answers ``200`` with a body that is not JSON, ``malformed="no_choices"`` answers JSON without
``choices``, and ``status=503`` (any code) answers that error for every completion request.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from persona_env.llm.backends import ChatBackend, validate_chats

__all__ = ["ChatCompletionServer", "main"]

HOST = "127.0.0.1"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True


class ChatCompletionServer:
    """Serve ``backend`` on ``http://127.0.0.1:{port}/v1`` (``port=0``: a free port).

    Use :meth:`start` (a background thread) or :meth:`serve_forever` (blocking), then
    :meth:`stop`; also a context manager (``with ChatCompletionServer(b).start() as srv``).
    ``url`` is the base URL to give an OpenAI client.
    """

    def __init__(self, backend: ChatBackend, port: int = 0, *, model_name: str | None = None,
                 delay_s: float = 0.0, malformed: bool | str = False, status: int | None = None,
                 default_max_tokens: int = 128):
        self.backend = backend
        self.model_name = model_name or getattr(backend, "model_id", None) or backend.name
        self.delay_s = float(delay_s)
        self.malformed = malformed
        self.status = status
        self.default_max_tokens = int(default_max_tokens)
        self.requests_served = 0  # completion requests received (any outcome)
        self._stopping = threading.Event()
        self._count_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._httpd = _Server((HOST, int(port)), self._handler_class())

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/v1"

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> "ChatCompletionServer":
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever,
                                            kwargs={"poll_interval": 0.05},
                                            name=f"chat-server-{self.port}", daemon=True)
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in delay_s
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> "ChatCompletionServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- request handling ------------------------------------------------------------------

    def _completion(self, request: dict[str, Any]) -> dict[str, Any]:
        messages = request.get("messages")
        if not isinstance(messages, list) or not messages:
            raise ValueError("'messages' must be a non-empty list of {role, content} objects")
        chats = validate_chats([messages])
        max_tokens = request.get("max_completion_tokens") or request.get("max_tokens") \
            or self.default_max_tokens
        temperature = request.get("temperature")
        temperature = 1.0 if temperature is None else float(temperature)
        seed = request.get("seed")
        text = self.backend.generate(chats, max_new_tokens=int(max_tokens),
                                     temperature=temperature,
                                     seed=None if seed is None else int(seed))[0]
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.get("model") or self.model_name,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                         "logprobs": None, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        }

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "persona-env-chat/0.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet by default
                pass

            def _send(self, status: int, body: bytes, content_type: str = "application/json"):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up
                    pass

            def _error(self, status: int, message: str, kind: str = "invalid_request_error"):
                body = json.dumps({"error": {"message": message, "type": kind,
                                             "code": status}}).encode()
                self._send(status, body)

            def do_GET(self) -> None:
                if self.path.rstrip("/") in ("/v1/models", "/models"):
                    body = {"object": "list", "data": [{"id": server.model_name,
                                                        "object": "model",
                                                        "owned_by": "persona-env"}]}
                    self._send(200, json.dumps(body).encode())
                elif self.path.rstrip("/") in ("", "/health"):
                    self._send(200, b'{"status": "ok"}')
                else:
                    self._error(404, f"no route {self.path}", "not_found_error")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
                    self._error(404, f"no route {self.path}", "not_found_error")
                    return
                with server._count_lock:
                    server.requests_served += 1
                if server.delay_s > 0 and server._stopping.wait(server.delay_s):
                    return  # shutting down
                if server.status is not None:
                    self._error(int(server.status), "test mode: forced error", "server_error")
                    return
                if server.malformed == "no_choices":
                    self._send(200, json.dumps({"id": "x", "object": "chat.completion"}).encode())
                    return
                if server.malformed:
                    self._send(200, b"<html>this is not json {", "application/json")
                    return
                try:
                    request = json.loads(raw or b"{}")
                    if not isinstance(request, dict):
                        raise ValueError("the body must be a JSON object")
                except ValueError as exc:
                    self._error(400, f"invalid JSON body: {exc}")
                    return
                try:
                    body = server._completion(request)
                except (TypeError, ValueError) as exc:
                    self._error(400, str(exc))
                    return
                except Exception as exc:  # noqa: BLE001 - report, keep serving
                    self._error(500, f"{type(exc).__name__}: {exc}", "server_error")
                    return
                self._send(200, json.dumps(body).encode())

        return Handler


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m persona_env.llm.server",
        description="Serve a transformers chat model over an OpenAI-compatible API on 127.0.0.1.")
    parser.add_argument("--model", required=True, help="local model directory or hub id")
    parser.add_argument("--port", type=int, default=8000, help="port (0: any free port)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--max-batch-size", type=int, default=16)
    parser.add_argument("--trust-remote-code", action="store_true")
    parser.add_argument("--served-model-name", default=None)
    parser.add_argument("--delay-s", type=float, default=0.0, help="test mode: answer slowly")
    parser.add_argument("--malformed", action="store_true", help="test mode: answer non-JSON")
    args = parser.parse_args(argv)

    from persona_env.llm.backends import TransformersBackend

    backend = TransformersBackend(args.model, device=args.device, dtype=args.dtype,
                                  max_batch_size=args.max_batch_size,
                                  trust_remote_code=args.trust_remote_code)
    server = ChatCompletionServer(backend, args.port, model_name=args.served_model_name,
                                  delay_s=args.delay_s, malformed=args.malformed)
    print(f"serving {backend.model_id!r} at {server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
