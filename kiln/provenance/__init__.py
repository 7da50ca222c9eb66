"""Provenance: AI-generation screening, repost detection and the do-not-train registry.

Importing this package must not need Django: the CLI (`python -m kiln.provenance`) runs
without settings.
"""
