"""Pure business rules of CRM: no boto3, PynamoDB or Chalice in here.

Everything in this package takes its inputs (time, registries, ids) as arguments
and returns values; it never performs I/O.
"""
