"""``fakescope serve``: starts the web service (its options map onto ServiceSettings)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from fakescope.commands.options import PluginFiles
from fakescope.console import EXIT_FAILED, EXIT_USAGE, err, usage_error


def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on (0.0.0.0: every interface).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    db: Annotated[
        str | None,
        typer.Option(
            help="SQLAlchemy URL of the store (default: SQLite in --data-dir; env FAKESCOPE_DB)."
        ),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            help="Folder for the database and uploads in progress (env FAKESCOPE_DATA_DIR)."
        ),
    ] = None,
    extra: Annotated[
        list[str] | None,
        typer.Option("--extra", "-x", help="Opt-in detectors to run as well."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Analysis processes (env FAKESCOPE_WORKERS; default 1)."),
    ] = None,
    time_limit: Annotated[
        float, typer.Option(min=1, help="Seconds one file may take before it is stopped.")
    ] = 300.0,
    memory_limit: Annotated[
        int, typer.Option(min=256, help="MB of memory each analysis process may add.")
    ] = 4096,
    max_upload_mb: Annotated[float, typer.Option(min=0.001, help="Largest file, MB.")] = 512.0,
    max_files: Annotated[int, typer.Option(min=1, help="Most files per request.")] = 64,
    api_key: Annotated[
        list[str] | None,
        typer.Option(
            "--api-key",
            help="Require this key (NAME=SECRET or SECRET; repeat; env FAKESCOPE_API_KEYS). "
            "Each key sees only its own history.",
        ),
    ] = None,
    rate_limit: Annotated[
        str | None,
        typer.Option(help="Files per key (or per client) and period, e.g. 120/minute."),
    ] = None,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            help="Host names the service answers to (repeat; '*' for any; default: localhost).",
        ),
    ] = None,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option("--cors-origin", help="Let pages from this origin call the API (repeat)."),
    ] = None,
    keep_days: Annotated[
        float | None, typer.Option(help="Delete history and stored analyses older than this.")
    ] = None,
    plugin: PluginFiles = None,
) -> None:
    """Run the web service: a page to upload files and a JSON API (/docs)."""
    try:
        import uvicorn

        from fakescope.service.app import create_app
        from fakescope.service.pool import PoolStartError
        from fakescope.service.settings import (
            LOCAL_HOSTS,
            ServiceSettings,
            parse_api_keys,
            parse_rate,
        )
    except ImportError as exc:
        err.print(f"[red]error:[/red] the service needs: pip install 'fakescope[service]' ({exc})")
        raise typer.Exit(EXIT_USAGE) from None
    try:
        # Local names are always safe (a rebinding attack arrives under the attacker's name).
        hosts: list[str] | None = sorted({*LOCAL_HOSTS, *allowed_host}) if allowed_host else None
        if hosts is None and not os.environ.get("FAKESCOPE_ALLOWED_HOSTS"):
            wildcard = host in ("0.0.0.0", "::", "")
            hosts = ["*"] if wildcard else sorted({*LOCAL_HOSTS, host})
        settings = ServiceSettings.from_env(
            data_dir=data_dir,
            db_url=db,
            extra=extra,
            workers=workers,
            time_limit_s=time_limit,
            memory_limit_mb=memory_limit,
            max_upload_mb=max_upload_mb,
            max_files=max_files,
            api_keys=parse_api_keys(api_key) if api_key else None,
            rate_limit=parse_rate(rate_limit) if rate_limit else None,
            allowed_hosts=hosts,
            cors_origins=list(cors_origin or []),
            keep_days=keep_days,
            plugin_files=list(plugin or []),
        )
    except ValueError as exc:
        usage_error(str(exc))
    if "*" in settings.allowed_hosts:
        err.print(
            "[yellow]warning:[/yellow] answering to any Host name; behind a proxy, name it with "
            "--allowed-host to block DNS-rebinding attacks"
        )
    err.print(f"starting {settings.workers} analysis process(es) (loading the models)...")
    try:
        app_ = create_app(settings=settings)
    except KeyError as exc:
        usage_error(str(exc.args[0]))
    except PoolStartError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_FAILED) from None
    shown = f"[{host}]" if ":" in host else host
    err.print(f"fakescope service on http://{shown}:{port}/  (API docs at /docs)")
    uvicorn.run(
        app_,
        host=host,
        port=port,
        log_level="warning",
        limit_concurrency=512,
        timeout_keep_alive=5,
    )
