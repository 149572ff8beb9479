"""The store: SQLAlchemy Core tables, Alembic migrations, and repository functions by concept.

Repository modules (``tenants``, ``persons``, ``runs``, ``links``, ``review``, ``access``,
``transfers``) hold functions that take a ``Connection``; open one with ``Store.write()`` or
``Store.read()``.
"""

from regmod.store.engine import Store, create_store_engine
from regmod.store.migrate import current_revision, upgrade

__all__ = ["Store", "create_store_engine", "current_revision", "upgrade"]
