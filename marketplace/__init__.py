"""The composition root: settings, app factory, CLI, auth, scheduler wiring."""

import os

# Piccolo binds each table to an engine when its module is imported, so the configuration
# module must be known before any `tables.py` loads.
os.environ.setdefault("PICCOLO_CONF", "marketplace.piccolo_conf")
