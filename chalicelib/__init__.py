"""Cepat Respon Masyarakat (CRM): Jakarta's citizen complaint platform."""
