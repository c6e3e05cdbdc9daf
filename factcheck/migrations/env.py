"""Alembic environment: run on the connection factcheck hands over (see db.upgrade)."""
from alembic import context
from sqlmodel import SQLModel

from factcheck import models  # noqa: F401

target_metadata = SQLModel.metadata
connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
