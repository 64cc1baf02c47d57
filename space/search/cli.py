"""Search commands (``flask space reindex``)."""

from __future__ import annotations

import click


def register(cli) -> None:
    """Add ``reindex`` to the ``flask space`` group ``cli``."""

    @cli.command("reindex")
    @click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 10_000))
    def reindex(batch_size: int) -> None:
        """Rebuild the search index: people, groups and every plugin's documents.

        The index is cleared first, so searches find less until it finishes.
        """
        from space.search import backend, sources

        index = backend()
        index.clear()
        total = 0
        with click.progressbar(
            sources.batches(batch_size),
            label="Indexing",
            item_show_func=lambda batch: f"{total} documents" if batch else None,
        ) as bar:
            for batch in bar:
                index.index(batch)
                total += len(batch)
        click.echo(f"Indexed {total} documents.")
