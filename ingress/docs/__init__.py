"""The pages of /docs and /redoc (their start scripts are files too, never inline)."""
