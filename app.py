"""The Chalice app: creates it and registers the blueprints, nothing more."""

from chalice import Chalice

from chalicelib.handlers import auth, officer, public, schedules, stream
from chalicelib.handlers.channels import balai_warga, walk_in

app = Chalice(app_name="crm")
for blueprint in (public.bp, auth.bp, officer.bp, balai_warga.bp, walk_in.bp, stream.bp,
                  schedules.bp):
    app.register_blueprint(blueprint)
