"""Backups: one ``.tar.gz`` file holding a consistent copy of the database and the uploaded
images, written by ``flask space backup`` and read back by ``flask space restore``.

The file is portable between SQLite and PostgreSQL (that is how a site moves from one to the
other): every table is a JSON-lines file, one row per line, values written by kind (see
archive.py). The search index is left out; a restore rebuilds it.

    archive.py   the file's layout, the manifest, value encoding, reading a file safely
    dump.py      ``create``: every table read inside one transaction, then the uploads
    load.py      ``restore``: migrations to the backup's revision, rows, sequences, head
    cli.py       the two commands
"""

from space.backup.archive import BackupError, Manifest
from space.backup.dump import create
from space.backup.load import restore

__all__ = ["BackupError", "Manifest", "create", "restore"]
