"""The web service: a JSON API and a page a person can use, over the same Scanner as the CLI."""
