"""The blueprints of issue 8 (pages, static files, citizen photos, Open311, OpenAPI).

Listed here so app.py needs one line for all of them.
"""

from __future__ import annotations

from chalicelib.handlers import (
    citizen_photos,
    docs,
    open311,
    pages,
    pages_leaders,
    pages_officer,
    static_files,
)

WEB_BLUEPRINTS = (pages.bp, pages_officer.bp, pages_leaders.bp, static_files.bp,
                  citizen_photos.bp, open311.bp, docs.bp)
