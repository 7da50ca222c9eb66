"""Kiln: a social platform for artists."""

# The release a deployment runs; KILN_RELEASE (for example a git commit) overrides it.
__version__ = "0.1.0"
