"""The Chalice app: creates it and registers the blueprints, nothing more."""

from chalice import Chalice

from chalicelib.handlers import public, stream
from chalicelib.handlers.channels import balai_warga

app = Chalice(app_name="crm")
app.register_blueprint(public.bp)
app.register_blueprint(balai_warga.bp)
app.register_blueprint(stream.bp)
