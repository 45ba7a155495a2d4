"""Saved connections: resource configurations a user saves once and picks in steps."""
