"""The pages' own scripts and styles and the vendored libraries, served by the app.

Chalice's local gateway matches routes segment by segment and has no greedy
`{path+}` parameter, so files live exactly one folder deep: /static/<folder>/<name>.
Only known folders and plain file names are served (no "..", no slashes, no dot
files), from inside chalicelib/static, with the right content type.
"""

from __future__ import annotations

import re
from functools import cache

from chalice import Blueprint, Response

from chalicelib.handlers.http import problem
from chalicelib.handlers.web import STATIC_DIR

bp = Blueprint(__name__)

FOLDERS = ("app", "vendor")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".json": "application/json; charset=utf-8",
    ".map": "application/json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
# Text is answered as str; PNG as bytes, which Chalice base64-encodes for API Gateway
# (image/png is among app.api.binary_types by default).
BINARY = {".png"}
YEAR = 365 * 24 * 3600


def _not_found() -> Response:
    return problem(404, "berkas_tidak_ada", "Berkas tidak ditemukan.", "File not found.")


@cache
def _read(folder: str, name: str) -> bytes | None:
    base = (STATIC_DIR / folder).resolve()
    path = (base / name).resolve()
    if path.parent != base or not path.is_file():
        return None
    return path.read_bytes()


@bp.route("/static/{folder}/{name}", methods=["GET"])
def static_file(folder: str, name: str) -> Response:
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if folder not in FOLDERS or not _NAME.match(name) or ".." in name or suffix not in TYPES:
        return _not_found()
    content = _read(folder, name)
    if content is None:
        return _not_found()
    versioned = bool((bp.current_request.query_params or {}).get("v"))
    headers = {
        "Content-Type": TYPES[suffix],
        "X-Content-Type-Options": "nosniff",
        # Pages link assets with ?v=<content hash>: such a URL never changes meaning.
        "Cache-Control": f"public, max-age={YEAR}, immutable" if versioned
        else "public, max-age=300",
    }
    body: str | bytes = content if suffix in BINARY else content.decode("utf-8")
    return Response(body=body, status_code=200, headers=headers)
