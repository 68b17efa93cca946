"""Rendering of scan reports for people (HTML)."""
