"""The top layer: pages composed from several apps (the home page, the profile and its tabs,
the nav's notification badge), the session user with the social graph's flags, and the demo
seed. Every other app sits below it (pyproject.toml's import-linter contracts)."""
