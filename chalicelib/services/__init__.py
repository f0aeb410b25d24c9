"""Use cases: load what a rule needs, call the domain, save the outcome.

No HTTP and no Lambda event shapes in here.
"""
