"""Backup commands (``flask space backup`` and ``flask space restore``)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from space.db import utcnow


def register(cli) -> None:
    """Add ``backup`` and ``restore`` to the ``flask space`` group ``cli``."""

    @cli.command("backup")
    @click.argument("path", required=False, type=click.Path(path_type=Path))
    def backup(path: Path | None) -> None:
        """Write the database and the uploaded images to one file.

        PATH is the file to write, or a folder to write it in; by default
        space-backup-YYYYMMDD-HHMMSS.tar.gz (UTC) in the current folder. The site may keep
        serving: every table is read from one consistent snapshot. The search index is left
        out; restore rebuilds it.
        """
        from space.backup import BackupError, create

        name = f"space-backup-{utcnow():%Y%m%d-%H%M%S}.tar.gz"
        target = path / name if path is not None and path.is_dir() else path or Path(name)
        started = time.monotonic()
        try:
            manifest = create(target, progress=_bar)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(
            f"Backed up {len(manifest.tables)} tables ({manifest.rows} rows) and "
            f"{len(manifest.uploads)} uploaded files to {target} "
            f"({_megabytes(target)}) in {time.monotonic() - started:.1f} s."
        )
        if manifest.uploads_missing:
            click.echo(
                f"Warning: {len(manifest.uploads_missing)} uploaded files named in the database "
                f"are missing from SPACE_UPLOAD_DIR: {', '.join(manifest.uploads_missing[:5])}"
            )
        if manifest.tables_left_out:
            click.echo(
                "Not in the backup (their plugin is off): " + ", ".join(manifest.tables_left_out)
            )

    @cli.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--force", is_flag=True, help="Drop everything in the database first.")
    @click.pass_context
    def restore(ctx: click.Context, path: Path, force: bool) -> None:
        """Restore a backup made by `flask space backup` into an empty database.

        Migrates to the backup's schema, loads every table, migrates to this Space's
        schema, puts the uploaded images back and rebuilds the search index. A database
        with accounts is refused unless --force is given: then all of it is dropped.
        """
        from space.backup import BackupError
        from space.backup import restore as load

        started = time.monotonic()
        try:
            manifest = load(path, force=force, progress=_bar)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(
            f"Restored {len(manifest.tables)} tables ({manifest.rows} rows) and "
            f"{len(manifest.uploads)} uploaded files from {path} (made "
            f"{manifest.created_at[:16].replace('T', ' ')} UTC by Space "
            f"{manifest.space_version}) in {time.monotonic() - started:.1f} s."
        )
        ctx.invoke(cli.commands["reindex"])


def _bar(items, label):
    return click.progressbar(items, label=label, item_show_func=lambda t: t.name if t else None)


def _megabytes(path: Path) -> str:
    return f"{path.stat().st_size / 1024 / 1024:.1f} MB"
