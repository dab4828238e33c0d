"""The bundled data: two photographs and the 8x8 handwritten digits.

The files live in ``data/`` at the root of the repository. A wheel built from
it carries every file of that folder inside the package, as ``cnnlib/_data``
(``pyproject.toml`` maps the name onto ``data/``), so ``pip install`` of the
repository works in any folder, on Colab or a JupyterHub; a checkout or an
editable install (``make``) reads ``data/`` itself. Either way the files are
found with :mod:`importlib.resources`, and every file is checked against
``checksums.sha256`` the first time it is read in a process, then kept decoded
in memory.

Images come back **channel-last**, ``(H, W)`` or ``(H, W, 3)``, because that is
how ``plt.imshow`` wants them. ``cl.conv2d`` wants ``(N, C, H, W)``:
``as_batch(img)`` makes that. Notebooks load data only through this module::

    img = cl.load_image("cat", grey=True, size=128)    # (128, 128) float32 in [0, 1]
    images, labels = cl.load_digits()                  # (1797, 8, 8), (1797,)
"""
from .digits import digits_on_canvas, load_digits, load_mnist, train_test_split
from .files import (
    _DATA_DIR,
    IMAGE_NAMES,
    LUMA_WEIGHTS,
    DataCorruptedError,
    _decoded_digits,
    _decoded_image,
    _expected_sha256,
    _read_checked,
    load_zhang_results,
)
from .images import as_batch, load_image

__all__ = [
    "load_image",
    "as_batch",
    "load_digits",
    "load_mnist",
    "load_zhang_results",
    "digits_on_canvas",
    "train_test_split",
    "DataCorruptedError",
    "IMAGE_NAMES",
    "LUMA_WEIGHTS",
]
