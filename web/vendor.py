"""Copy the browser libraries the pages need from web/node_modules into chalicelib/static/vendor.

Run by `make vendor` after `npm ci --prefix web` (exact versions pinned in
web/package-lock.json). The copies are committed, licences beside them, so a fresh
clone serves them with no npm step: the app serves them itself, the local stack works
offline and no page loads anything from a CDN. Re-run after bumping a version.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

WEB = Path(__file__).resolve().parent
MODULES = WEB / "node_modules"
TARGET = WEB.parent / "chalicelib" / "static" / "vendor"

# source (under node_modules) -> name served at /static/vendor/<name>
FILES = {
    "leaflet/dist/leaflet.js": "leaflet.js",
    "leaflet/dist/leaflet.css": "leaflet.css",
    "leaflet/LICENSE": "LICENSE-leaflet.txt",
    "chart.js/dist/chart.umd.min.js": "chart.umd.min.js",
    "chart.js/LICENSE.md": "LICENSE-chart.js.txt",
}
# Source maps are left out: nothing to serve, and their comments would only 404.
SOURCE_MAP_COMMENT = "//# sourceMappingURL="


def main() -> int:
    missing = [source for source in FILES if not (MODULES / source).is_file()]
    if missing:
        print(f"missing under {MODULES}: {', '.join(missing)}; run `npm ci --prefix web` first",
              file=sys.stderr)
        return 1
    if TARGET.exists():
        shutil.rmtree(TARGET)
    TARGET.mkdir(parents=True)
    for source, name in FILES.items():
        text = (MODULES / source).read_text(encoding="utf-8")
        lines = [line for line in text.splitlines(keepends=True)
                 if not line.startswith(SOURCE_MAP_COMMENT)]
        (TARGET / name).write_text("".join(lines), encoding="utf-8")
        print(f"vendored {source} -> {TARGET.relative_to(WEB.parent) / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
