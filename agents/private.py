"""Owner-only files: GUARDIAN_HOME is 0700, the SQLite database (and the -wal/-shm files
SQLite gives the database's own mode), the key file and the embedded Chroma store are
readable by their owner alone. A home left looser is tightened; one that belongs to
another user is only warned about (it is not ours to change)."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def _tighten(path: Path, mode: int, what: str) -> None:
    """Set ``mode`` on ``path`` when it is ours and looser; warn when it is not ours."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode) or stat.S_IMODE(info.st_mode) & ~mode == 0:
        return
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        log.warning("%s %s belongs to another user and is readable by others (mode %o); "
                    "make it owner-only (chmod %o)", what, path, stat.S_IMODE(info.st_mode), mode)
        return
    try:
        path.chmod(mode)
    except OSError as exc:
        log.warning("could not make %s %s owner-only: %s", what, path, exc)
        return
    log.info("tightened %s %s from mode %o to %o", what, path, stat.S_IMODE(info.st_mode), mode)


def private_dir(path: Path, what: str = "directory") -> bool:
    """Create ``path`` (and parents) with the directory itself 0700, or tighten it.
    Returns True when the directory was new or looser than owner-only."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        path.chmod(DIR_MODE)  # mkdir's mode is filtered by the umask; be exact
        return True
    if not stat.S_ISDIR(info.st_mode):
        return False  # not a directory: whoever opens it reports that
    before = stat.S_IMODE(info.st_mode)
    _tighten(path, DIR_MODE, what)
    return bool(before & ~DIR_MODE)


def private_file(path: Path, what: str = "file", *, create: bool = False) -> None:
    """Make ``path`` 0600 (creating it empty first when ``create``), so whatever opens it
    next never starts with a world-readable file."""
    path = Path(path)
    if create:
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
        except FileExistsError:
            pass
    _tighten(path, FILE_MODE, what)


def private_sqlite(database: Path) -> None:
    """The database file 0600 before SQLite first opens it (SQLite creates its -wal, -shm
    and -journal files with the database's mode), and any side files left looser fixed."""
    database = Path(database)
    if not database.parent.exists():
        private_dir(database.parent, "database directory")
    private_file(database, "database", create=True)
    for suffix in SQLITE_SIDE_FILES:
        private_file(database.with_name(database.name + suffix), "database file")


def private_tree(root: Path, what: str = "directory") -> None:
    """Every directory under ``root`` 0700 and every file 0600 (symlinks left alone)."""
    root = Path(root)
    if not root.is_dir():
        return
    private_dir(root, what)
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            _tighten(Path(folder) / name, DIR_MODE, what)
        for name in files:
            _tighten(Path(folder) / name, FILE_MODE, what)


# What Guardian itself keeps in a home; only these are tightened inside it, so a home
# pointed at a directory with other content (GUARDIAN_HOME=.) leaves that content alone.
HOME_ENTRIES = ("guardian.db", *(f"guardian.db{s}" for s in SQLITE_SIDE_FILES), "secret.key", "chroma", "bm25")


def private_home(home: Path) -> None:
    """GUARDIAN_HOME owner-only; in a home found looser (an older Guardian, a copied
    directory) Guardian's own files and folders are tightened too."""
    home = Path(home)
    if private_dir(home, "GUARDIAN_HOME"):
        for name in HOME_ENTRIES:
            entry = home / name
            if entry.is_dir() and not entry.is_symlink():
                private_tree(entry, "GUARDIAN_HOME")
            else:
                private_file(entry, "GUARDIAN_HOME file")
