"""The OpenAPI 3.1 document of the JSON APIs (public, officer, channels, kinerja, SKM).

Hand-written as data, next to the routes it describes; tests/integration/test_openapi.py
keeps the two in step (every route documented, nothing documented that is not a route),
validates the document with openapi-spec-validator and checks real answers against
its schemas. Pages, static files and Open311 (its own standard, documented at
http://wiki.open311.org/GeoReport_v2) are outside it: see `OUTSIDE_PREFIXES`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from chalicelib.services.kinerja_report import CSV_COLUMNS

# Routes that are not part of the JSON API document.
OUTSIDE_EXACT = ("/",)
OUTSIDE_PREFIXES = ("/lapor", "/lacak", "/petugas", "/pimpinan", "/survei", "/static/",
                    "/peta/", "/open311")

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    kind = schema.get("type")
    return {**schema, "type": [kind, "null"]} if isinstance(kind, str) else schema


def obj(required: tuple[str, ...] = (), **properties: Schema) -> Schema:
    return {"type": "object", "required": list(required), "properties": properties}


STR: Schema = {"type": "string"}
INT: Schema = {"type": "integer"}
NUM: Schema = {"type": "number"}
BOOL: Schema = {"type": "boolean"}
ANY_OBJECT: Schema = {"type": "object"}
STATUS: Schema = {"type": "string", "enum": [
    "Menunggu", "Koordinasi", "Disposisi", "Proses", "Menunggu Validasi", "TL Ditolak",
    "Selesai", "Ditolak", "Bukan Kewenangan", "Duplikat", "Di Luar Wilayah"]}
COLOUR: Schema = {"type": "string", "enum": ["merah", "kuning", "hijau", "abu-abu"]}
ACTION: Schema = {"type": "string", "enum": [
    "terima", "tugaskan", "proses", "koordinasi", "disposisi", "ews", "selesai", "validasi",
    "tl_ditolak", "tolak", "bukan_kewenangan", "duplikat", "luar_wilayah", "buka_kembali",
    "foto", "nilai", "tinjau", "sla"]}

SCHEMAS: dict[str, Schema] = {
    "Error": {**obj(("error", "message", "message_id", "message_en"),
                    error=STR, message=STR, message_id=STR, message_en=STR,
                    errors={"type": "array", "items": obj(
                        ("message_id", "message_en"), field=nullable(STR), message_id=STR,
                        message_en=STR)}),
              "description": "Every refusal: a code and a message in Bahasa Indonesia and "
                             "English, with one entry per field problem."},
    "GatewayError": {**obj(("Code", "Message"), Code=STR, Message=STR),
                     "description": "Answered by Chalice / API Gateway before the app: "
                                    "an unsupported Content-Type (415), a body too large "
                                    "for the gateway (413)."},
    "Moment": {**obj(("utc", "wib"), utc={"type": "string", "format": "date-time"}, wib=STR),
               "description": "A time: UTC for machines, WIB text for people."},
    "Point": obj(("lat", "lon"), lat={"type": "number", "minimum": -90, "maximum": 90},
                 lon={"type": "number", "minimum": -180, "maximum": 180}),
    "Filed": obj(("ticket", "tracking_token", "status"), ticket=STR, tracking_token=STR,
                 status=STATUS, emergency_notice=ANY_OBJECT),
    "Intake": {**obj(("description",),
                     description={"type": "string", "minLength": 1, "maxLength": 4000},
                     category=STR, lat={"type": ["number", "string"]},
                     lon={"type": ["number", "string"]}, address=STR, kelurahan_code=STR,
                     name=STR, phone=STR, email=STR),
               "description": "A complaint. Contact details are optional and never public."},
    "PublicReport": {**obj(
        ("ticket", "status", "status_colour", "channel", "description", "created_at",
         "overdue", "supporter_count", "history", "photos"),
        ticket=STR, status=STATUS, status_colour=COLOUR,
        category=nullable(obj(("id", "name", "name_en"), id=STR, name=STR, name_en=STR)),
        channel=STR, description=STR, address=nullable(STR), kelurahan_code=nullable(STR),
        unit=nullable(obj(("code", "name"), code=STR, name=STR)),
        created_at=ref("Moment"), due_at=nullable(ref("Moment")), overdue=BOOL,
        first_action_due=nullable(ref("Moment")), finish_due=nullable(ref("Moment")),
        ews_at=nullable(ref("Moment")), parent_ticket=nullable(STR), supporter_count=INT,
        rating=nullable(obj(("stars",), stars=INT)),
        history={"type": "array", "items": obj(
            ("at", "action", "status", "status_colour"), at=ref("Moment"), action=ACTION,
            status=STATUS, status_colour=COLOUR, unit=nullable(STR), note=nullable(STR))},
        photos={"type": "array", "items": obj(("kind", "url"), kind=STR, url=STR)}),
        "description": "What anyone with the tracking token sees: never the reporter."},
    "QueueItem": obj(
        ("ticket", "channel", "status", "status_colour", "description", "created_at",
         "overdue"),
        ticket=STR, channel=STR, status=STATUS, status_colour=COLOUR, category=nullable(STR),
        description=STR, unit=nullable(STR), unit_name=nullable(STR),
        kelurahan_code=nullable(STR), address=nullable(STR), point=nullable(ref("Point")),
        created_at=ref("Moment"), due_at=nullable(ref("Moment")), overdue=BOOL,
        minutes_left=nullable(INT), minutes_overdue=nullable(INT), review_requested=BOOL,
        supporter_count=INT, priority=STR, likely_duplicates=INT),
    "QueuePage": obj(("items", "next"), items={"type": "array", "items": ref("QueueItem")},
                     next=nullable(STR)),
    "OfficerReport": {"allOf": [ref("QueueItem"), obj(
        ("reporter", "history", "allowed_actions", "version", "photos"),
        reporter=obj((), name=nullable(STR), phone=nullable(STR), email=nullable(STR)),
        entered_by=nullable(STR), first_action_due=nullable(ref("Moment")),
        finish_due=nullable(ref("Moment")), first_action_at=nullable(ref("Moment")),
        ews_at=nullable(ref("Moment")), parent_ticket=nullable(STR),
        duplicate_candidates={"type": "array", "items": ANY_OBJECT}, reopen_count=INT,
        rating=nullable(ANY_OBJECT),
        photos={"type": "array", "items": obj(("key", "kind", "url"), key=STR, kind=STR,
                                              at=ref("Moment"), by=STR, url=STR)},
        history={"type": "array", "items": obj(
            ("seq", "at", "action", "status", "actor"), seq=INT, at=ref("Moment"),
            action=ACTION, status=STATUS, actor=STR, unit=nullable(STR), note=nullable(STR),
            internal_note=nullable(STR), data=ANY_OBJECT)},
        allowed_actions={"type": "array", "items": ACTION}, version=INT)]},
    "Officer": obj(("username", "role", "unit"), username=STR, role=STR, unit=STR,
                   name=nullable(STR), email=nullable(STR), phone=nullable(STR),
                   alerts={"type": "array", "items": STR}),
    "Login": obj(("username", "password"), username={"type": "string", "maxLength": 256},
                 password={"type": "string", "maxLength": 256}),
    "NewPasswordRequired": {
        "allOf": [ref("Error"), obj(("session", "username"), error={
            "const": "kata_sandi_baru_diperlukan"}, session=STR, username=STR)],
        "description": "First sign-in: the password was the temporary one from the "
                       "invitation email. Send `username` and `session` (valid a few "
                       "minutes) with a new password to /auth/new-password."},
    "NewPassword": {**obj(("username", "session", "new_password"),
                          username={"type": "string", "maxLength": 256},
                          session={"type": "string", "maxLength": 2048},
                          new_password={"type": "string", "maxLength": 256},
                          new_password_repeat={"type": "string", "maxLength": 256}),
                    "description": "The login's 409 `username` and `session`, and the new "
                                   "password: at least 12 characters with an upper-case "
                                   "letter, a lower-case letter and a number (the user "
                                   "pool's policy). `new_password_repeat`, if sent, must "
                                   "equal `new_password`."},
    "Tokens": obj(("id_token", "access_token", "expires_in", "officer"), id_token=STR,
                  access_token=STR, refresh_token=nullable(STR), expires_in=INT,
                  token_type=STR, officer=ref("Officer")),
    "Action": obj(("action",), action=ACTION, note={"type": "string", "maxLength": 2000},
                  internal_note={"type": "string", "maxLength": 2000}, target_unit=STR,
                  parent_ticket=STR, ews_at={"type": "string", "format": "date-time"},
                  photos={"type": "array", "maxItems": 10, "items": obj(
                      ("key", "kind"), key=STR, kind={"enum": ["before", "after"]})}),
    "PhotoRequest": obj(("content_type",), kind={"enum": ["before", "after"]},
                        content_type={"enum": ["image/jpeg", "image/png", "image/webp",
                                               "image/heic"]}),
    "PresignedUpload": {**obj(("url", "fields", "key", "expires_in", "max_bytes"), url=STR,
                              fields={"type": "object",
                                      "additionalProperties": {"type": "string"}},
                              key=STR, expires_in=INT, max_bytes=INT),
                        "description": "POST the file to `url` as multipart/form-data with "
                                       "`fields` first (S3 enforces key, type and size)."},
    "Rating": obj(("stars",), stars={"type": "integer", "minimum": 1, "maximum": 5},
                  comment={"type": "string", "maxLength": 1000}),
    "Rated": obj(("ticket", "stars", "review_requested"), ticket=STR, stars=INT,
                 review_requested=BOOL),
    "Support": {**obj((), phone=STR, email={"type": "string", "maxLength": 254}),
                "description": "The supporter's contact (a phone number or an email, at "
                               "least one) for the report's updates; counted once per "
                               "contact."},
    "Reopen": {**obj(("note",), note={"type": "string", "minLength": 1, "maxLength": 2000}),
               "description": "What is still wrong. A photo is added afterwards through "
                              "/reports/{ticket}/photos: the reopened report is open again."},
    "Nearby": obj(("items",), items={"type": "array", "items": obj(
        ("ticket", "status"), ticket=STR, status=STATUS, category=nullable(STR),
        description=STR, point=nullable(ref("Point")), supporter_count=INT)}),
    "Kinerja": {**obj(("level", "periode", "tabel", "unit", "rentang_selesai"), level=STR,
                      periode=ANY_OBJECT, periode_sebelumnya=nullable(STR),
                      kelompok=nullable(STR), tabel={"type": "array", "items": ANY_OBJECT},
                      unit={"type": "object", "additionalProperties": obj(
                          ("unit", "sebaran_selesai"), unit=STR, sebaran_selesai={
                              "type": "object", "additionalProperties": INT})},
                      rentang_selesai={"type": "array", "items": obj(
                          ("kode", "sampai_s", "label_id", "label_en"), kode=STR,
                          sampai_s=nullable(INT), label_id=STR, label_en=STR)},
                      konfigurasi=ANY_OBJECT, dibaca=ANY_OBJECT),
                "description": "Ranking tables and unit metrics; see "
                               "chalicelib/services/kinerja_report.py. Each unit's "
                               "sebaran_selesai counts its follow-ups per range of time to "
                               "finish, the ranges listed (shortest first, sampai_s "
                               "inclusive, null: no limit) in rentang_selesai."},
    "Kepadatan": {**obj(("periode", "wilayah", "kelurahan", "jumlah", "skala"),
                        periode=ANY_OBJECT, wilayah=nullable(STR),
                        kelurahan={"type": "object", "additionalProperties": INT},
                        jumlah=INT, skala={"type": "array", "items": INT},
                        dibaca=ANY_OBJECT),
                  "description": "Reports received per kelurahan in the period (kinerja "
                                 "counter `received`: open or closed, routed to the "
                                 "kelurahan; reports routed straight to a suku dinas are "
                                 "not counted), every kelurahan of `wilayah` listed (null: "
                                 "all of Jakarta); `skala` are the lower bounds of the "
                                 "map's colour classes. See "
                                 "chalicelib/services/kinerja_density.py."},
    "SkmResults": {**obj(("periode",), periode=STR),
                   "description": "Published SKM results (PermenPANRB 14/2017); see "
                                  "chalicelib/handlers/skm.py."},
    "Questionnaire": {**obj(("periode", "unsur"), periode=STR,
                            unsur={"type": "array", "items": ANY_OBJECT}),
                      "description": "An SKM invitation's questionnaire."},
    "SkmAnswer": obj(("jawaban",), jawaban={
        "type": "object", "additionalProperties": {"type": "integer", "minimum": 1,
                                                   "maximum": 4}},
        komentar={"type": "string", "maxLength": 1000}),
}

ERROR = {"description": "Refused (see the message)", "content": {"application/json": {
    "schema": {"anyOf": [ref("Error"), ref("GatewayError")]}}}}


def json_body(schema: Schema, form: bool = False) -> dict[str, Any]:
    content = {"application/json": {"schema": schema}}
    if form:
        content["application/x-www-form-urlencoded"] = {"schema": schema}
    return {"required": True, "content": content}


def answer(description: str, schema: Schema | None = None) -> dict[str, Any]:
    if schema is None:
        return {"description": description}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def path_param(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": STR}


def query(name: str, description: str, schema: Schema = STR,
          required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": schema}


TICKET = path_param("ticket", "Ticket number, e.g. K7Q4-M9XD")
TOKEN = query("token", "The tracking token from the confirmation", required=True)
OFFICER = [{"bearer": []}, {"session": [], "csrf": []}]


def operation(summary: str, tag: str, responses: dict[str, Any], *,
              parameters: list[dict[str, Any]] | None = None,
              body: dict[str, Any] | None = None,
              security: list[dict[str, list[str]]] | None = None,
              operation_id: str) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "tags": [tag], "operationId": operation_id,
                          "responses": {**responses, "default": ERROR}}
    if parameters:
        op["parameters"] = parameters
    if body:
        op["requestBody"] = body
    if security is not None:
        op["security"] = security
    return op


def _channel_ops() -> dict[str, Any]:
    filed = {"201": answer("Filed", ref("Filed")),
             "200": answer("Filed before (a redelivery): the same ticket", ref("Filed"))}
    ack = {"200": answer("Received", ANY_OBJECT)}
    webhook_body = json_body(ANY_OBJECT)
    paths: dict[str, Any] = {
        "/channels/balai-warga": {"post": operation(
            "File a complaint from the Balai Warga form", "channels", filed,
            parameters=[{"name": "Idempotency-Key", "in": "header", "schema": STR,
                         "description": "A resubmitted form gets the same ticket"}],
            body=json_body(ref("Intake"), form=True), operation_id="channelBalaiWarga")},
        "/channels/{channel_id}": {"post": operation(
            "Record a walk-in complaint (officer at their office)", "channels", filed,
            parameters=[path_param("channel_id", "kelurahan, kecamatan, walikota, "
                                                 "balai-kota or inspektorat")],
            body=json_body(ref("Intake"), form=True), security=OFFICER,
            operation_id="channelWalkIn")},
    }
    for partner in ("jaki", "lapor"):
        paths[f"/channels/{partner}"] = {"post": operation(
            f"Partner system {partner}: a signed report (X-CRM-Key-Id, X-CRM-Timestamp, "
            "X-CRM-Signature)", "channels", filed, body=webhook_body,
            operation_id=f"channelPartner{partner.title()}")}
    for platform, handshake in (("x", "CRC challenge"), ("facebook", "hub.challenge"),
                                ("instagram", "hub.challenge")):
        paths[f"/channels/{platform}"] = {
            "get": operation(f"{platform}: webhook {handshake}", "channels",
                             {"200": answer("Challenge answered")},
                             operation_id=f"channel{platform.title()}Handshake"),
            "post": operation(f"{platform}: signed webhook delivery", "channels", ack,
                              body=webhook_body, operation_id=f"channel{platform.title()}"),
        }
    return paths


def _paths() -> dict[str, Any]:
    paths: dict[str, Any] = {
        "/health": {"get": operation("Liveness", "public", {"200": answer(
            "Up", obj(("status",), status={"const": "ok"}))}, operation_id="health",
            security=[])},
        "/openapi.json": {"get": operation("This document", "public", {"200": answer(
            "OpenAPI 3.1", ANY_OBJECT)}, operation_id="openapi", security=[])},
        "/reports/{ticket}": {"get": operation(
            "Track a report (public view)", "public",
            {"200": answer("The report", ref("PublicReport"))}, parameters=[TICKET, TOKEN],
            operation_id="trackReport", security=[])},
        "/reports/{ticket}/rating": {"post": operation(
            "Rate the result once Selesai (1-5 stars)", "public",
            {"201": answer("Recorded", ref("Rated"))}, parameters=[TICKET, TOKEN],
            body=json_body(ref("Rating")), operation_id="rateReport", security=[])},
        "/reports/{ticket}/support": {"post": operation(
            "Me too: support an open report", "public",
            {"201": answer("Counted", obj(("ticket", "supporter_count"), ticket=STR,
                                          supporter_count=INT))},
            parameters=[TICKET], body=json_body(ref("Support")), operation_id="supportReport",
            security=[])},
        "/reports/{ticket}/reopen": {"post": operation(
            "The reporter says the fix did not hold: reopen within 14 days after Selesai",
            "public",
            {"200": answer("Reopened: back to the unit with a new finish deadline",
                           obj(("ticket", "status"), ticket=STR, status=STATUS))},
            parameters=[TICKET, TOKEN], body=json_body(ref("Reopen")),
            operation_id="reopenReport", security=[])},
        "/reports/{ticket}/photos": {"post": operation(
            "The reporter's photo: a presigned upload form", "public",
            {"201": answer("Upload form", ref("PresignedUpload"))}, parameters=[TICKET, TOKEN],
            body=json_body(ref("PhotoRequest")), operation_id="citizenPhotoPresign",
            security=[])},
        "/reports/{ticket}/photos/attach": {"post": operation(
            "Record an uploaded photo on the report", "public",
            {"200": answer("Recorded", obj(("ticket", "photos"), ticket=STR, photos=INT))},
            parameters=[TICKET, TOKEN], body=json_body(obj(("key",), key=STR)),
            operation_id="citizenPhotoAttach", security=[])},
        "/nearby/reports": {"get": operation(
            "Open reports near a point (before filing a duplicate)", "public",
            {"200": answer("Nearby reports", ref("Nearby"))},
            parameters=[query("lat", "Latitude", required=True),
                        query("lon", "Longitude", required=True),
                        query("category", "Category id")],
            operation_id="nearbyReports", security=[])},
        "/auth/login": {"post": operation(
            "Officer sign-in (Cognito)", "officer", {
                "200": answer("Tokens", ref("Tokens")),
                "401": answer("Wrong username or password", ref("Error")),
                "409": answer("First sign-in: the temporary password was right; choose a "
                              "new one with /auth/new-password", ref("NewPasswordRequired")),
                "429": answer("Too many failed attempts (see Retry-After)", ref("Error"))},
            body=json_body(ref("Login")), operation_id="login", security=[])},
        "/auth/new-password": {"post": operation(
            "First sign-in: replace the temporary password, then sign in", "officer", {
                "200": answer("Tokens", ref("Tokens")),
                "400": answer("A missing field, a mismatched repeat, or a password the "
                              "policy refuses (field `new_password`)", ref("Error")),
                "401": answer("The session expired or is invalid: sign in again with the "
                              "temporary password", ref("Error"))},
            body=json_body(ref("NewPassword")), operation_id="newPassword", security=[])},
        "/officer/reports": {"get": operation(
            "The officer's queue, by deadline", "officer",
            {"200": answer("One page", ref("QueuePage"))},
            parameters=[query("status", "Comma-separated statuses"),
                        query("category", "Category id"), query("channel", "Channel id"),
                        query("from", "Created on or after (WIB date YYYY-MM-DD)"),
                        query("to", "Created on or before (WIB date YYYY-MM-DD)"),
                        query("overdue", "Only reports past their deadline",
                              {"enum": ["true", "false"]}),
                        query("limit", "Page size 1-100", {"type": "string",
                                                          "pattern": "^[0-9]+$"}),
                        query("cursor", "From the previous page's `next`")],
            security=OFFICER, operation_id="officerQueue")},
        "/officer/reports/{ticket}": {"get": operation(
            "A report with its reporter, history and allowed actions", "officer",
            {"200": answer("The report", ref("OfficerReport"))}, parameters=[TICKET],
            security=OFFICER, operation_id="officerReport")},
        "/officer/reports/{ticket}/actions": {"post": operation(
            "Act on a report (Pergub 128/2017 workflow)", "officer",
            {"200": answer("The report after the action", ref("OfficerReport"))},
            parameters=[TICKET], body=json_body(ref("Action")), security=OFFICER,
            operation_id="officerAction")},
        "/officer/reports/{ticket}/photos": {"post": operation(
            "Before/after photo: a presigned upload form", "officer",
            {"201": answer("Upload form", ref("PresignedUpload"))}, parameters=[TICKET],
            body=json_body(ref("PhotoRequest")), security=OFFICER,
            operation_id="officerPhotoPresign")},
        "/kinerja": {"get": operation(
            "Kinerja rankings of a level for a period (public)", "kinerja",
            {"200": {"description": "Rankings", "content": {
                "application/json": {"schema": ref("Kinerja")},
                "text/csv": {"schema": {
                    **STR, "description": "One row per unit per ranking table, columns: "
                    + ", ".join(CSV_COLUMNS) + ". The sebaran_selesai_<kode> columns "
                    "are the unit's sebaran_selesai, one per range of rentang_selesai."}}}}},
            parameters=[query("level", "kelurahan | kecamatan | kota | opd | sudin"),
                        query("period", "2026-Q3, 2026-11, 2026-W48 or 2026"),
                        query("kelompok", "One group, e.g. a kecamatan code"),
                        query("unit", "One more unit's metrics in `unit`, whatever the "
                                      "level (e.g. the reader's own area, rolled up)"),
                        query("format", "json or csv", {"enum": ["json", "csv"]})],
            operation_id="kinerja", security=[])},
        "/kinerja/kepadatan": {"get": operation(
            "Reports received per kelurahan in a period: the leaders' density map (public)",
            "kinerja", {"200": answer("Density", ref("Kepadatan"))},
            parameters=[query("period", "2026-Q3, 2026-11, 2026-W48 or 2026 (default: "
                                        "the current quarter)"),
                        query("unit", "The reader's area: its kelurahan are listed (all "
                                      "of Jakarta when omitted or when it has none)")],
            operation_id="kinerjaKepadatan", security=[])},
        "/skm/results": {"get": operation(
            "Published SKM results of a quarter", "skm",
            {"200": {"description": "Results", "content": {
                "application/json": {"schema": ref("SkmResults")},
                "text/csv": {"schema": STR}}}},
            parameters=[query("period", "2026-Q3"),
                        query("format", "json or csv", {"enum": ["json", "csv"]})],
            operation_id="skmResults", security=[])},
        "/skm/panel": {"post": operation(
            "Add a general-public panel before the launch (CSV unit,phone,email)", "skm",
            {"201": answer("Added", ANY_OBJECT)}, parameters=[query("period", "2026-Q3")],
            body={"required": True, "content": {"text/csv": {"schema": STR}}},
            security=OFFICER, operation_id="skmPanel")},
        "/skm/audit": {"get": operation(
            "Re-run the recorded respondent draw", "skm", {"200": answer("Audit", ANY_OBJECT)},
            parameters=[query("period", "2026-Q3")], security=OFFICER,
            operation_id="skmAudit")},
        "/skm/{token}": {
            "get": operation("An invitation's questionnaire", "skm",
                             {"200": answer("Questionnaire", ref("Questionnaire")),
                              "302": answer("A browser is sent to /survei/{token}")},
                             parameters=[path_param("token", "From the invitation")],
                             operation_id="skmQuestionnaire", security=[]),
            "post": operation("Answer the questionnaire", "skm",
                              {"201": answer("Recorded", ANY_OBJECT)},
                              parameters=[path_param("token", "From the invitation")],
                              body=json_body(ref("SkmAnswer")), operation_id="skmAnswer",
                              security=[]),
        },
        "/skm/opt-out/{token}": {"post": operation(
            "Stop SKM invitations to this person", "skm", {"200": answer("Done", ANY_OBJECT)},
            parameters=[path_param("token", "From the invitation")], operation_id="skmOptOut",
            security=[])},
    }
    paths.update(_channel_ops())
    return paths


@cache
def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "CRM Jakarta (Cepat Respon Masyarakat) API",
            "version": "1.0.0",
            "description": "Citizen complaints of Pemprov DKI Jakarta: filing, tracking, "
                           "officers' workflow, kinerja and SKM. Errors are bilingual "
                           "(Bahasa Indonesia and English). Open311 GeoReport v2 is served "
                           "at /open311/v2/.",
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": n} for n in ("public", "officer", "channels", "kinerja", "skm")],
        "security": [],
        "paths": _paths(),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                           "description": "The Cognito ID token from /auth/login"},
                "session": {"type": "apiKey", "in": "cookie", "name": "crm_sesi",
                            "description": "The pages' session cookie (same ID token); "
                                           "`__Host-crm_sesi` over HTTPS"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token",
                         "description": "Required with the session cookie on every "
                                        "request that changes something"},
            },
        },
    }


def outside_document(path: str) -> bool:
    return path in OUTSIDE_EXACT or path.startswith(OUTSIDE_PREFIXES)
