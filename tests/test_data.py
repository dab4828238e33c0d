"""Bundled data and its loader: files intact, shapes, ranges, luma, crops, translated digits."""
import hashlib
import pathlib
import re
import shutil

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cnnlib as cl
from cnnlib import data as D

DATA = pathlib.Path(__file__).resolve().parents[1] / "data"
FILES = ("cat.png", "astronaut.png", "digits.npz")
SHAPES = {"cat": (300, 451), "astronaut": (512, 512)}


# ------------------------------------------------------------------ files ---


def _listed():
    return dict(reversed(line.split()) for line in (DATA / "checksums.sha256").read_text().splitlines() if line.strip())


def test_checksum_file_matches_the_files_and_the_readme():
    listed = _listed()
    assert set(FILES) <= set(listed), sorted(listed)
    readme = (DATA / "README.md").read_text()
    for name in listed:
        digest = hashlib.sha256((DATA / name).read_bytes()).hexdigest()
        assert listed[name] == digest, name
        assert digest in readme, f"README.md does not quote the sha256 of {name}"


def test_a_checkout_reads_its_own_data_folder():
    """The editable install (make) and a plain checkout read data/ itself, not a copy."""
    assert pathlib.Path(str(D._DATA_DIR)).resolve() == DATA
    assert not (DATA.parent / "cnnlib" / "_data").exists(), "cnnlib/_data is the wheel's name for data/; keep it out of the tree"


def test_the_wheel_takes_every_file_of_data():
    """pyproject.toml maps cnnlib._data onto data/ and its package-data takes every file there.

    tests/test_wheel.py builds the wheel and checks what it carries; this is the quick check.
    """
    import fnmatch
    import tomllib

    config = tomllib.loads((DATA.parent / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "cnnlib._data" in config["packages"]
    assert config["package-dir"]["cnnlib._data"] == "data"
    patterns = config["package-data"]["cnnlib._data"]
    for name in [*_listed(), "checksums.sha256", "README.md"]:
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), f"{name} would not be in the wheel"


def test_top_level_names():
    assert cl.load_image is D.load_image
    assert cl.load_digits is D.load_digits


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A private copy of data/ that the loader reads instead of the real one."""
    for name in (*FILES, "checksums.sha256"):
        shutil.copy(DATA / name, tmp_path / name)
    monkeypatch.setattr(D.files, "_DATA_DIR", tmp_path)
    return tmp_path


def _corrupt(path):
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))


def test_copy_loads_like_the_original(data_copy, monkeypatch):
    ours = D.load_image("cat", grey=True)
    monkeypatch.setattr(D.files, "_DATA_DIR", DATA)
    np.testing.assert_array_equal(ours, D.load_image("cat", grey=True))


@pytest.mark.parametrize("name, load", [("cat.png", lambda: D.load_image("cat")), ("digits.npz", D.load_digits)])
def test_corrupted_file_raises(data_copy, name, load):
    _corrupt(data_copy / name)
    with pytest.raises(D.DataCorruptedError, match=rf"`{re.escape(name)}` is corrupted: its sha256 is [0-9a-f]{{64}}"):
        load()
    with pytest.raises(OSError, match=r"Restore it from the repository \(in a clone, `git checkout -- data/.*`; elsewhere, reinstall cnnlib\)"):
        load()


def test_missing_checksum_entry_raises(data_copy):
    (data_copy / "checksums.sha256").write_text("")
    with pytest.raises(D.DataCorruptedError, match="no entry in checksums.sha256"):
        D.load_image("astronaut")


def test_missing_data_folder_raises(tmp_path, monkeypatch):
    monkeypatch.setattr(D.files, "_DATA_DIR", tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match=r"data folder was not found .* `cnnlib/_data`.* reinstall cnnlib"):
        D.load_digits()


def test_missing_file_raises(data_copy):
    (data_copy / "astronaut.png").unlink()
    with pytest.raises(FileNotFoundError, match="`astronaut.png` is missing"):
        D.load_image("astronaut")


def test_each_file_is_read_and_checked_once_per_process(data_copy, monkeypatch):
    calls = []
    original = D._read_checked
    monkeypatch.setattr(D.files, "_read_checked", lambda *a: calls.append(a[1]) or original(*a))
    for _ in range(3):
        D.load_image("cat")
        D.load_image("cat", grey=True, size=16)
        D.load_digits()
    assert sorted(calls) == ["cat.png", "digits.npz"]


# ----------------------------------------------------------------- images ---


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_image_shapes_dtypes_ranges(name):
    colour, grey = D.load_image(name), D.load_image(name, grey=True)
    assert colour.shape == (*SHAPES[name], 3) and grey.shape == SHAPES[name]
    assert colour.dtype == grey.dtype == jnp.float32
    for img in (colour, grey):
        assert 0.0 <= float(img.min()) and float(img.max()) <= 1.0
        assert float(img.std()) > 0.1  # a photograph, not a blank
    # 8-bit source: every colour value is k / 255.
    k = np.asarray(colour) * 255
    np.testing.assert_allclose(k, np.round(k), atol=1e-4)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_grey_is_the_bt601_luma_of_colour(name):
    rgb = np.asarray(D.load_image(name), dtype=np.float64)
    expected = 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]
    np.testing.assert_allclose(np.asarray(D.load_image(name, grey=True)), expected, atol=1e-6)


def test_fresh_arrays_same_values():
    a, b = D.load_image("cat"), D.load_image("cat")
    assert isinstance(a, jax.Array)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("size, shape", [(128, (128, 128)), ((64, 96), (64, 96)), ((100, 30), (100, 30)), (1, (1, 1))])
@pytest.mark.parametrize("grey", [True, False])
def test_size_gives_the_shape(size, shape, grey):
    img = D.load_image("cat", grey=grey, size=size)
    assert img.shape == (shape if grey else (*shape, 3))
    assert img.dtype == jnp.float32
    assert 0.0 <= float(img.min()) and float(img.max()) <= 1.0


def test_size_of_the_original_is_the_identity():
    np.testing.assert_array_equal(D.load_image("cat", size=(300, 451)), D.load_image("cat"))


def test_size_crops_the_centre_to_the_aspect_ratio():
    full = np.asarray(D.load_image("cat", grey=True))  # 300 x 451
    square = np.asarray(D.load_image("cat", grey=True, size=300))  # crop only, no resampling
    np.testing.assert_allclose(square, full[:, 75:375], atol=1e-6)
    tall = np.asarray(D.load_image("cat", grey=True, size=(300, 150)))
    np.testing.assert_allclose(tall, full[:, 150:300], atol=1e-6)


def test_shrinking_averages_rather_than_samples():
    full = np.asarray(D.load_image("astronaut", grey=True), dtype=np.float64)
    small = np.asarray(D.load_image("astronaut", grey=True, size=64), dtype=np.float64)
    # Antialiased shrink by 8: each output pixel is a local average, so the
    # global mean survives and the 8x8 block means are close.
    assert abs(small.mean() - full.mean()) < 2e-3
    blocks = full.reshape(64, 8, 64, 8).mean(axis=(1, 3))
    assert np.abs(small - blocks).mean() < 0.02


def test_as_batch_layouts():
    grey, colour = D.load_image("cat", grey=True, size=16), D.load_image("cat", size=16)
    assert D.as_batch(grey).shape == (1, 1, 16, 16)
    batch = D.as_batch(colour)
    assert batch.shape == (1, 3, 16, 16)
    np.testing.assert_array_equal(batch[0, 1], colour[..., 1])
    assert D.as_batch(np.zeros((5, 6, 1), np.uint8)).dtype == jnp.float32


def test_image_errors():
    with pytest.raises(ValueError, match=r"`name` must be one of 'cat', 'astronaut'; got 'dog'"):
        D.load_image("dog")
    with pytest.raises(TypeError, match=r"`grey` must be True or False; got 'yes'"):
        D.load_image("cat", grey="yes")
    with pytest.raises(ValueError, match=r"`size` must be >= 1; got 0"):
        D.load_image("cat", size=0)
    with pytest.raises(ValueError, match=r"`size` must be an int or a sequence of 2 ints; got \(1, 2, 3\)"):
        D.load_image("cat", size=(1, 2, 3))
    with pytest.raises(TypeError, match=r"`size` must be an integer; got 1.5"):
        D.load_image("cat", size=(1.5, 2))
    with pytest.raises(ValueError, match=r"`img` must have shape \(H, W\) or \(H, W, C\); got \(5,\)"):
        D.as_batch(np.zeros(5))
    with pytest.raises(ValueError, match=r"`img` must be channel-last.*got \(3, 8, 8\).*`img\[None\]`"):
        D.as_batch(np.zeros((3, 8, 8)))


# ----------------------------------------------------------------- digits ---


def test_digits_shapes_ranges_labels():
    images, labels = D.load_digits()
    assert images.shape == (1797, 8, 8) and images.dtype == jnp.float32
    assert labels.shape == (1797,) and labels.dtype == jnp.int32
    assert float(images.min()) == 0.0 and float(images.max()) == 1.0
    counts = np.asarray(images) * 16
    np.testing.assert_array_equal(counts, np.round(counts))  # ink counts 0..16
    per_class = np.bincount(np.asarray(labels), minlength=10)
    assert per_class.size == 10 and per_class.sum() == 1797
    assert per_class.min() >= 170 and per_class.max() <= 190


def _check_placed(canvases, positions, digits, scale=1):
    canvases, positions, digits = np.asarray(canvases), np.asarray(positions), np.asarray(digits)
    for canvas, (r, c), digit in zip(canvases, positions, digits):
        big = np.kron(digit, np.ones((scale, scale), digit.dtype))
        h, w = big.shape
        np.testing.assert_array_equal(canvas[r : r + h, c : c + w], big)
        rest = canvas.copy()
        rest[r : r + h, c : c + w] = 0
        assert not rest.any(), "ink outside the digit's box"


@pytest.mark.parametrize("canvas, scale", [(24, 1), (8, 1), (20, 2), (28, 3)])
def test_digits_on_canvas_places_exact_pixels(canvas, scale):
    images, _ = D.load_digits()
    x, pos, _ = D.digits_on_canvas(jax.random.key(1), images[:50], canvas=canvas, scale=scale)
    assert x.shape == (50, canvas, canvas) and x.dtype == jnp.float32
    assert pos.shape == (50, 2) and pos.dtype == jnp.int32
    room = canvas - 8 * scale
    assert int(pos.min()) >= 0 and int(pos.max()) <= room
    _check_placed(x, pos, images[:50], scale)


def test_positions_cover_every_place():
    images = jnp.ones((2000, 8, 8))
    _, pos, _ = D.digits_on_canvas(jax.random.key(2), images, canvas=12)
    assert set(np.asarray(pos).ravel().tolist()) == {0, 1, 2, 3, 4}


def test_max_offset_limits_the_shift():
    images, _ = D.load_digits()
    x, pos, _ = D.digits_on_canvas(jax.random.key(3), images[:300], canvas=24, max_offset=3)  # centre 8
    assert set(np.asarray(pos).ravel().tolist()) == set(range(5, 12))
    _check_placed(x, pos, images[:300])
    _, pos0, _ = D.digits_on_canvas(jax.random.key(3), images[:10], canvas=24, max_offset=0)
    np.testing.assert_array_equal(pos0, np.full((10, 2), 8))


def test_digits_on_canvas_keys_and_labels():
    images, labels = D.load_digits()
    a = D.digits_on_canvas(jax.random.key(0), images[:20])
    b = D.digits_on_canvas(jax.random.key(0), images[:20])
    c = D.digits_on_canvas(jax.random.key(1), images[:20])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])
    x, pos, lab = D.digits_on_canvas(jax.random.key(0), images[:20], np.asarray(labels[:20], np.uint8))
    np.testing.assert_array_equal(pos, a[1])
    np.testing.assert_array_equal(lab, labels[:20])
    assert lab.dtype == jnp.int32
    # Raw uint8 ink counts work too and come back as float32.
    raw, _, _ = D.digits_on_canvas(jax.random.key(0), np.asarray(images[:20] * 16, np.uint8))
    np.testing.assert_allclose(raw, a[0] * 16, atol=1e-5)
    assert raw.dtype == jnp.float32


def test_digits_on_canvas_returns_one_shape_whatever_the_arguments():
    """Issue 18: it returned a pair without labels and a triple with them."""
    images, labels = D.load_digits()
    for out in (D.digits_on_canvas(jax.random.key(0), images[:4]), D.digits_on_canvas(jax.random.key(0), images[:4], labels[:4])):
        assert len(out) == 3 and out.canvases.shape == (4, 24, 24) and out.positions.shape == (4, 2)
    assert D.digits_on_canvas(jax.random.key(0), images[:4]).labels is None


def test_digits_on_canvas_errors():
    images, labels = D.load_digits()
    key = jax.random.key(0)
    with pytest.raises(ValueError, match=r"`canvas` must be at least 16 to hold a 8x8 digit at `scale`=2; got 12"):
        D.digits_on_canvas(key, images[:2], canvas=12, scale=2)
    with pytest.raises(ValueError, match=r"`max_offset` must be <= 4 .* 8x8 digit .* 16x16 canvas; got 5"):
        D.digits_on_canvas(key, images[:2], canvas=16, max_offset=5)
    with pytest.raises(ValueError, match=r"`max_offset` must be >= 0; got -1"):
        D.digits_on_canvas(key, images[:2], max_offset=-1)
    with pytest.raises(ValueError, match=r"`images` must have shape \(N, h, w\); got \(8, 8\)"):
        D.digits_on_canvas(key, images[0])
    with pytest.raises(ValueError, match=r"`labels` must be an integer array of shape \(2,\)"):
        D.digits_on_canvas(key, images[:2], labels[:3])
    with pytest.raises(TypeError, match=r"`key` must be a JAX PRNG key"):
        D.digits_on_canvas(0, images[:2])
    with pytest.raises(TypeError, match=r"`scale` must be an integer; got 1.5"):
        D.digits_on_canvas(key, images[:2], scale=1.5)


# ------------------------------------------------------------------ split ---


@pytest.mark.parametrize("n, fraction, n_test", [(1797, 0.25, 449), (10, 0.5, 5), (2, 0.5, 1), (7, 0.1, 1)])
def test_train_test_split(n, fraction, n_test):
    train, test = D.train_test_split(jax.random.key(0), n, fraction)
    assert train.dtype == test.dtype == jnp.int32
    assert test.shape == (n_test,) and train.shape == (n - n_test,)
    np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(n))
    again = D.train_test_split(jax.random.key(0), n, fraction)
    np.testing.assert_array_equal(train, again[0])


def test_train_test_split_errors():
    key = jax.random.key(0)
    with pytest.raises(ValueError, match=r"`n` must be >= 2; got 1"):
        D.train_test_split(key, 1)
    with pytest.raises(ValueError, match=r"`test_fraction` must be < 1.0; got 1.0"):
        D.train_test_split(key, 10, 1.0)
    with pytest.raises(ValueError, match=r"`test_fraction` must be > 0.0; got 0.0"):
        D.train_test_split(key, 10, 0)
    with pytest.raises(ValueError, match=r"leaves 0 for testing and 4 for training; both need at least one"):
        D.train_test_split(key, 4, 0.1)
    with pytest.raises(TypeError, match=r"`key` must be a JAX PRNG key"):
        D.train_test_split(None, 4)
