"""Piccolo configuration: the engine comes from `DATABASE_URL` via the settings.

`PICCOLO_CONF` points here (set in `marketplace/__init__.py`), and must be set before any
`tables.py` is imported, because Piccolo binds each table to its engine on import.
"""

from piccolo.conf.apps import AppRegistry

from marketplace.kernel.db import make_engine
from marketplace.kernel.settings import get_settings

DB = make_engine(get_settings())

APP_REGISTRY = AppRegistry(
    apps=[
        "marketplace.piccolo_app",
        "employers.piccolo_app",
        "placements.piccolo_app",
        "search.piccolo_app",
        "admin.piccolo_app",
    ]
)
