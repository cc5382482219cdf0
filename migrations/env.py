"""Alembic environment: the database URL comes from app.config (or the caller's connection)."""
from alembic import context

from app import models  # noqa: F401  (registers the tables)
from app.auth.audit import install_db_guards
from app.registry.search_indexes import install_search_indexes
from app.config import Config
from app.db import Base, make_engine

target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
            install_db_guards(connection)
            install_search_indexes(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or Config.DATABASE_URL
    engine = make_engine(url)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
            install_db_guards(conn)
            install_search_indexes(conn)
    engine.dispose()


run_migrations_online()
