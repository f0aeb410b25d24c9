"""The app's HTTP server: chalice's own local gateway, plus `/_local/...` for the stack."""

from __future__ import annotations

import functools
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from chalice.app import Chalice
from chalice.config import Config
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    LocalChalice,
    LocalDevServer,
)

from infra.local.local_api import LocalApi
from infra.local.throttle import RequestLimits


class StackRequestHandler(ChaliceRequestHandler):
    """`/_local/...` goes to the stack; everything else to the Chalice app, as `chalice local`."""

    def __init__(self, request: Any, client_address: Any, server: Any, app_object: Chalice,
                 config: Config, local_api: LocalApi, limits: RequestLimits | None = None
                 ) -> None:
        self._local_api = local_api
        self._limits = limits
        super().__init__(request, client_address, server, app_object=app_object, config=config)

    def _dispatch(self) -> None:
        parsed = urlsplit(self.path)
        if self._limits is not None and not self._limits.allow(self.client_address[0],
                                                               parsed.path):
            self._parse_payload()
            body = json.dumps(THROTTLED, ensure_ascii=False).encode()
            self._send_http_response(429, {"Content-Type": "application/json; charset=utf-8",
                                           "Retry-After": "1"}, body)
        elif parsed.path == "/_local" or parsed.path.startswith("/_local/"):
            self._serve_local(parsed.path, parse_qs(parsed.query))
        else:
            self._generic_handle()

    # The base class binds its verbs to its own _generic_handle; rebind them here.
    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _dispatch

    def _serve_local(self, path: str, query: dict[str, list[str]]) -> None:
        self._parse_payload()  # drain any body so the kept-alive connection stays in sync
        status, payload = self._local_api.handle(self.command, path, query)
        body = json.dumps(payload, indent=1, default=str).encode()
        self._send_http_response(status, {"Content-Type": "application/json"}, body)


THROTTLED = {
    "error": "terlalu_banyak_permintaan",
    "message": "Terlalu banyak permintaan; coba lagi sebentar lagi. / "
               "Too many requests; try again shortly.",
    "message_id": "Terlalu banyak permintaan; coba lagi sebentar lagi.",
    "message_en": "Too many requests; try again shortly.",
}


def create_server(app: Chalice, config: Config, host: str, port: int,
                  local_api: LocalApi, limits: RequestLimits | None = None) -> LocalDevServer:
    """Bind the port (raises OSError if taken); serve with `.server.serve_forever()`."""
    # What chalice.local.create_local_server does, so current_request is per thread.
    CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
    app.__class__ = CustomLocalChalice
    handler = functools.partial(StackRequestHandler, local_api=local_api, limits=limits)
    return LocalDevServer(app, config, host, port, handler_cls=handler)
