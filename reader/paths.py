"""Every path reader uses, from platformdirs; ``reader locate`` prints them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "reader"
DB_ENV = "READER_DB"


@dataclass(frozen=True)
class Paths:
    data_dir: Path
    database: Path
    config_file: Path
    themes_dir: Path

    @property
    def sync_account(self) -> Path:
        """The sync server's account (credentials: mode 0600), beside the config file."""
        return self.config_file.parent / "sync.json"


def default_paths(db: str | os.PathLike[str] | None = None) -> Paths:
    """The paths in force: ``db`` (``--db``) wins over ``$READER_DB`` over the data dir."""
    data_dir = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    config_dir = Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    chosen = db or os.environ.get(DB_ENV) or None
    database = Path(chosen).expanduser() if chosen else data_dir / "reader.sqlite"
    return Paths(
        data_dir=data_dir,
        database=database,
        config_file=config_dir / "config.toml",
        themes_dir=config_dir / "themes",
    )
