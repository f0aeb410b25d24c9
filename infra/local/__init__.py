"""The embedded local stack: moto as AWS, the Chalice app, a stream pump, a scheduler, an outbox.

`python -m infra.local run` starts it; see README.md in this folder for the design.
"""
