"""Thin entry points: translate HTTP requests and Lambda events into service calls and back."""
