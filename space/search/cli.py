"""Search commands (``flask space reindex``)."""


def register(cli) -> None:
    pass
