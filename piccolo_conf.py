"""Piccolo configuration: the engine comes from the settings (DATABASE_URL or the SQLite file)."""

from piccolo.conf.apps import AppRegistry

from server.database.engines import make_engine

DB = make_engine()

APP_REGISTRY = AppRegistry(apps=["server.piccolo_app"])
