"""API commands (``flask space token …``)."""


def register(cli) -> None:
    pass
