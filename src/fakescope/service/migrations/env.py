"""Alembic environment: runs on the connection the store hands over (see store.migrate)."""

from alembic import context

from fakescope.service.tables import metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    # `alembic -x url=... upgrade head` from the command line
    from sqlalchemy import create_engine

    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit("give the database: alembic -x url=sqlite:///path/to/db upgrade head")
    with create_engine(url).connect() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


try:
    context.config  # noqa: B018 - only set while Alembic runs this file
except AttributeError:  # imported by something else (e.g. pytest --doctest-modules)
    pass
else:
    run()
