"""Search commands (``flask space reindex``)."""

from __future__ import annotations

import click


def register(cli) -> None:
    """Add ``reindex`` to the ``flask space`` group ``cli``."""

    @cli.command("reindex")
    @click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 10_000))
    def reindex(batch_size: int) -> None:
        """Rebuild the search index: people, groups and every plugin's documents.

        On Whoosh the index is cleared first, so searches find less until it finishes; on
        PostgreSQL documents are replaced in place and the stale ones removed at the end.
        """
        from space.search import rebuild

        def bar(batches):
            with click.progressbar(batches, label="Indexing") as shown:
                yield from shown

        click.echo(f"Indexed {rebuild(batch_size, show=bar)} documents.")
