"""The bundled files: where they live, their checksums, and reading them once per process.

A wheel carries every file of ``data/`` inside the package as ``cnnlib/_data``;
a checkout or an editable install reads ``data/`` itself. Either way a file is
checked against ``checksums.sha256`` the first time it is read in a process.
Tests point :data:`_DATA_DIR` (and :func:`_read_checked`) of this module elsewhere.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.resources
import io
import json
import pathlib
from importlib.resources.abc import Traversable

import numpy as np

__all__ = ["load_zhang_results", "DataCorruptedError", "IMAGE_NAMES", "LUMA_WEIGHTS"]


def _bundled_data_dir() -> Traversable:
    """The folder of the bundled files: inside the installed package, else ``data/`` of the checkout."""
    packaged = importlib.resources.files("cnnlib").joinpath("_data")  # a wheel: cnnlib/_data
    if packaged.is_dir():
        return packaged
    return pathlib.Path(__file__).resolve().parents[2] / "data"  # a checkout: <repository>/data


#: Where the bundled files live: ``cnnlib/_data`` in an installed wheel, ``<repository>/data`` in a checkout.
_DATA_DIR = _bundled_data_dir()
_CHECKSUMS = "checksums.sha256"
_IMAGE_FILES = {"cat": "cat.png", "astronaut": "astronaut.png"}
IMAGE_NAMES = tuple(_IMAGE_FILES)
#: ITU-R BT.601 luma: grey = 0.299 R + 0.587 G + 0.114 B.
LUMA_WEIGHTS = (0.299, 0.587, 0.114)


class DataCorruptedError(OSError):
    """A bundled data file does not match its sha256 in ``data/checksums.sha256``."""


def _data_file(directory: Traversable, filename: str) -> Traversable:
    """Return ``directory/filename``, explaining clearly when it is missing."""
    if not directory.is_dir():
        raise FileNotFoundError(
            f"cnnlib's data folder was not found at {directory}. A wheel carries it as `cnnlib/_data`, a "
            "checkout of the repository as `data/` next to `cnnlib/`: reinstall cnnlib from the repository."
        )
    path = directory.joinpath(filename)
    if not path.is_file():
        raise FileNotFoundError(
            f"The data file `{filename}` is missing from {directory}. {_restore_hint(filename)}"
        )
    return path


def _restore_hint(filename: str) -> str:
    return (
        f"Restore it from the repository (in a clone, `git checkout -- data/{filename}`; "
        "elsewhere, reinstall cnnlib)."
    )


@functools.lru_cache(maxsize=None)
def _expected_sha256(directory: Traversable) -> dict[str, str]:
    """Parse ``checksums.sha256`` (``sha256sum`` format) into {filename: hex digest}."""
    table = {}
    for line in _data_file(directory, _CHECKSUMS).read_text().splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            table[name.strip().lstrip("*")] = digest.lower()
    return table


def _read_checked(directory: Traversable, filename: str) -> bytes:
    """Read a data file and check it against its recorded sha256."""
    data = _data_file(directory, filename).read_bytes()
    expected = _expected_sha256(directory).get(filename)
    actual = hashlib.sha256(data).hexdigest()
    if expected is None:
        raise DataCorruptedError(f"`{filename}` has no entry in {_CHECKSUMS}; cannot verify it.")
    if actual != expected:
        raise DataCorruptedError(
            f"The data file `{filename}` is corrupted: its sha256 is {actual}, but {_CHECKSUMS} "
            f"expects {expected}. {_restore_hint(filename)}"
        )
    return data


@functools.lru_cache(maxsize=None)
def _decoded_image(directory: Traversable, filename: str) -> np.ndarray:
    """Checked and decoded PNG as a read-only uint8 (H, W, 3) array, once per process."""
    from PIL import Image  # pillow comes with matplotlib; imported only when needed

    with Image.open(io.BytesIO(_read_checked(directory, filename))) as png:
        pixels = np.asarray(png.convert("RGB"), dtype=np.uint8)
    pixels.flags.writeable = False
    return pixels


@functools.lru_cache(maxsize=None)
def _decoded_digits(directory: Traversable) -> tuple[np.ndarray, np.ndarray]:
    """Checked digits as read-only uint8 arrays (images 0..16, labels 0..9)."""
    with np.load(io.BytesIO(_read_checked(directory, "digits.npz")), allow_pickle=False) as npz:
        images, labels = np.array(npz["images"]), np.array(npz["labels"])
    images.flags.writeable = labels.flags.writeable = False
    return images, labels




def load_zhang_results() -> dict:
    """The stored longer run of notebook 05's digits experiment, as a dict.

    ``data/zhang_results.json`` is written by ``scripts/zhang_reproduction.py``
    (its settings and each seed's values are inside) and checked against its
    sha256 like every bundled file, so notebook 05 reads it also where cnnlib
    was installed from a wheel.

    Examples
    --------
    >>> stored = load_zhang_results()
    >>> isinstance(stored, dict) and len(stored) > 0
    True
    """
    return json.loads(_read_checked(_DATA_DIR, "zhang_results.json").decode("utf-8"))
