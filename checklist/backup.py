"""Backups and restores of the SQLite database (being written)."""


def init_app(app) -> None:
    pass
