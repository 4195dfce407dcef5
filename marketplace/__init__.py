"""The composition root (app factory, package list, CLI, scheduler, demo), with the kernel
(`kernel/`) and the reference data (`reference/`) every package shares."""

import os

# Piccolo binds each table to an engine when its module is imported, so the configuration
# module must be known before any `tables.py` loads.
os.environ.setdefault("PICCOLO_CONF", "marketplace.piccolo_conf")
