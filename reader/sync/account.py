"""The sync account: server address, user, password (or the command that prints it) and
the last auth token, in ``sync.json`` in the config dir, mode 0600, never in the database.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Final

from reader.errors import SyncError

ACCOUNT_FILE: Final = "sync.json"
PASSWORD_COMMAND_TIMEOUT: Final = 60.0


@dataclass(frozen=True)
class Account:
    url: str  # the Google Reader API's address (FreshRSS: .../api/greader.php)
    user: str
    password: str | None = None
    password_command: str | None = None  # run at each login; its first line is the password
    auth: str | None = None  # the last token the server gave

    @property
    def identity(self) -> str:
        """What says the account is the same one: the server and the user."""
        return f"{self.user}@{self.url.rstrip('/')}"

    def with_auth(self, auth: str | None) -> Account:
        return replace(self, auth=auth)


def load_account(path: Path) -> Account | None:
    """The saved account, None when there is none; a damaged file is a :class:`SyncError`."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as error:
        raise SyncError(f"cannot read the sync account {path}: {error.strerror}") from None
    try:
        data = json.loads(raw)
        return Account(
            url=str(data["url"]),
            user=str(data["user"]),
            password=data.get("password"),
            password_command=data.get("password_command"),
            auth=data.get("auth"),
        )
    except (ValueError, KeyError, TypeError):
        raise SyncError(f"the sync account {path} is damaged: run `reader sync setup`") from None


def save_account(path: Path, account: Account) -> None:
    """Write the account readable by its owner alone (0600), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    data = {k: v for k, v in asdict(account).items() if v is not None}
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(data, file, indent=2)
            file.write("\n")
        os.chmod(temporary, 0o600)  # O_CREAT's mode does not apply to a file left over
        os.replace(temporary, path)
    except OSError as error:
        raise SyncError(f"cannot write the sync account {path}: {error.strerror}") from None


def forget_account(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as error:
        raise SyncError(f"cannot remove the sync account {path}: {error.strerror}") from None
    return True


def account_password(account: Account) -> str:
    """The password: the stored one, or the first line the password command prints."""
    if account.password_command:
        return run_password_command(account.password_command)
    if account.password is None:
        raise SyncError("the sync account has no password: run `reader sync setup`")
    return account.password


def run_password_command(command: str) -> str:
    """Run ``command`` in the shell (as newsboat's ``*-passwordeval``); its output is never
    shown, not even in errors."""
    try:
        done = subprocess.run(
            command,
            shell=True,
            capture_output=True,
            timeout=PASSWORD_COMMAND_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise SyncError(
            f"the password command did not finish in {PASSWORD_COMMAND_TIMEOUT:g} s"
        ) from None
    except OSError as error:
        raise SyncError(f"the password command could not run: {error.strerror}") from None
    if done.returncode != 0:
        raise SyncError(f"the password command failed (exit status {done.returncode})")
    lines = done.stdout.decode("utf-8", "replace").splitlines()
    if not lines or not lines[0]:
        raise SyncError("the password command printed no password")
    return lines[0]
