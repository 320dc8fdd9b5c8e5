"""Published raw files, pinned by sha256.

A :class:`Source` names one raw file relative to the data root (``$NASBENCH_DATA``), where it was
published (repository, commit, path, license) and the sha256 it must have.
``Source.verified_path()`` returns the local path after checking the file's digest; a file whose
digest differs is refused with both digests named, so a recipe never builds a store from a file
other than the one it was written and tested for.

Pickles are code as much as data, so for them checking the file before it is opened is not
enough (it could change between the check and the read): ``load_pickle`` / ``read_pinned`` read
the bytes once, check *those bytes* against the pin, and unpickle the checked bytes.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from nasbench.config import data_root
from nasbench.errors import ChecksumError, SourceMissingError

#: digests already computed in this process, keyed by what a same-size edit cannot keep: the
#: inode change time moves on every write and every mtime reset, so a changed file is re-hashed
_VERIFIED: dict[tuple[str, int, int, int, int], str] = {}
#: the pinned digest of every path ``verified_path`` has returned, for ``read_pinned``
_PINS: dict[str, str] = {}


def _stat_key(path: Path) -> tuple[str, int, int, int, int]:
    stat = path.stat()
    return (str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def sha256_of(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Source:
    """One published raw file.

    Attributes:
        path: location relative to the data root, e.g. ``"nb201/meco/nb2_test_acc_cf10.p"``.
        sha256: the digest the file must have.
        repo: where it was published (repository URL).
        commit: the commit it was taken from.
        repo_path: its path inside that repository.
        license: the license the repository states (or "none stated").
        note: what the file is, in a few words.
    """

    path: str
    sha256: str
    repo: str = ""
    commit: str = ""
    repo_path: str = ""
    license: str = ""
    note: str = ""

    def path_on_disk(self, root: str | Path | None = None) -> Path:
        """The file's location under ``root`` (default: the data root), unverified."""
        return Path(root if root is not None else data_root()) / self.path

    def verified_path(self, root: str | Path | None = None) -> Path:
        """The file's location after checking it exists and has the pinned sha256.

        Raises:
            SourceMissingError: the file is not there.
            ChecksumError: its sha256 differs from the pin (both digests named).
        """
        path = self.path_on_disk(root)
        if not path.is_file():
            raise SourceMissingError(
                f"raw file {str(path)!r} is missing; expected {self.path} under the data root "
                "(set NASBENCH_DATA)"
            )
        key = _stat_key(path)
        actual = _VERIFIED.get(key) or sha256_of(path)
        if actual != self.sha256:
            raise ChecksumError(_mismatch(path, actual, self.sha256))
        _VERIFIED[key] = actual
        _PINS[str(path.resolve())] = self.sha256
        return path

    def as_dict(self) -> dict[str, str]:
        """The provenance fields, for a store's ``sources`` attribute."""
        return asdict(self)


def _mismatch(path: Path, actual: str, pinned: str) -> str:
    return (
        f"raw file {str(path)!r} has sha256 {actual}, but its recipe is pinned to {pinned}; "
        "refusing to build from a file that differs from the published one"
    )


def pin_of(path: str | Path) -> str | None:
    """The sha256 ``path`` is pinned to, if ``Source.verified_path`` returned it in this process."""
    return _PINS.get(str(Path(path).resolve()))


def read_pinned(path: str | Path, sha256: str | None = None) -> bytes:
    """The bytes of a pinned raw file, checked against the pin after they are read.

    Args:
        path: a path returned by ``Source.verified_path`` (its pin is remembered), or any path
            with ``sha256`` given.
        sha256: the digest the bytes must have (default: the remembered pin).

    Raises:
        ChecksumError: the bytes read differ from the pin, or no pin is known for ``path``.
    """
    path = Path(path)
    pinned = sha256 or _PINS.get(str(path.resolve()))
    if pinned is None:
        raise ChecksumError(
            f"no sha256 pin is known for {str(path)!r}; get the path from Source.verified_path() "
            "or pass sha256="
        )
    data = path.read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if actual != pinned:
        raise ChecksumError(_mismatch(path, actual, pinned))
    return data


def load_pickle(
    path: str | Path,
    sha256: str | None = None,
    *,
    unpickler: type[pickle.Unpickler] = pickle.Unpickler,
) -> Any:
    """Unpickle a raw file from bytes that were checked against its pin (``read_pinned``).

    ``unpickler`` may be a restricted ``pickle.Unpickler`` subclass (an allow-list of globals,
    which runs no code whatever the file holds): it may also read a file without a pin, such as
    one a user converts. The plain ``pickle.Unpickler`` only ever reads checked bytes.

    Raises:
        ChecksumError: the bytes differ from the pin, or an unrestricted unpickler has no pin.
    """
    restricted = unpickler is not pickle.Unpickler
    if restricted and sha256 is None and pin_of(path) is None:
        data = Path(path).read_bytes()
    else:
        data = read_pinned(path, sha256)
    return unpickler(io.BytesIO(data)).load()


def forget_verified() -> None:
    """Drop the in-process digest cache (tests; a long-lived process after replacing files)."""
    _VERIFIED.clear()


__all__ = ["Source", "forget_verified", "load_pickle", "pin_of", "read_pinned", "sha256_of"]
