"""The Chalice app: creates it and registers the blueprints, nothing more."""

from chalice import Chalice

from chalicelib import log_redaction
from chalicelib.handlers import auth, kinerja, officer, public, schedules, skm, stream
from chalicelib.handlers.channels import balai_warga, email, meta, partner, sms, walk_in, x
from chalicelib.handlers.web_blueprints import WEB_BLUEPRINTS

log_redaction.install()  # before anything logs: no reporter contact in any log line
app = Chalice(app_name="crm")
for blueprint in (public.bp, auth.bp, officer.bp, balai_warga.bp, walk_in.bp, stream.bp,
                  schedules.bp, partner.bp, x.bp, meta.bp, email.bp, sms.bp, kinerja.bp, skm.bp):
    app.register_blueprint(blueprint)

# What people see (issue 8): pages, their static files, Open311, the OpenAPI document.
for blueprint in WEB_BLUEPRINTS:
    app.register_blueprint(blueprint)
