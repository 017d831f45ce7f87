"""load_mnist on small files written by the tests (never the network)."""

import numpy as np
import pytest

from skmlp_numpy.datasets import load_mnist


@pytest.fixture
def tiny_mnist(tmp_path):
    rng = np.random.RandomState(0)
    path = tmp_path / "mnist.npz"
    np.savez(
        path,
        X_train=rng.randint(0, 256, size=(6, 784)).astype(np.uint8),
        y_train=np.arange(6, dtype=np.uint8),
        X_test=rng.randint(0, 256, size=(3, 784)).astype(np.uint8),
        y_test=np.arange(3, dtype=np.uint8),
    )
    return path


def test_reads_the_npz_format_scaled_to_float32(tiny_mnist):
    X_train, X_test, y_train, y_test = load_mnist(tiny_mnist)
    assert X_train.shape == (6, 784) and X_test.shape == (3, 784)
    assert X_train.dtype == np.float32
    assert 0 <= X_train.min() and X_train.max() <= 1
    assert y_train.dtype == np.int64
    np.testing.assert_array_equal(y_test, [0, 1, 2])


def test_dtype_and_scale_options(tiny_mnist):
    raw = np.load(tiny_mnist)["X_train"]
    X_train, *_ = load_mnist(tiny_mnist, dtype=np.float64, scale=False)
    assert X_train.dtype == np.float64
    np.testing.assert_array_equal(X_train, raw)


def test_environment_variable_names_the_file(tiny_mnist, monkeypatch):
    monkeypatch.setenv("SKMLP_MNIST", str(tiny_mnist))
    assert load_mnist()[0].shape == (6, 784)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="SKMLP_MNIST"):
        load_mnist(tmp_path / "absent.npz")


def test_file_without_the_arrays_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.npz"
    np.savez(path, X_train=np.zeros((2, 784)))
    with pytest.raises(ValueError, match="lacks the arrays"):
        load_mnist(path)


def test_a_file_that_is_no_npz_of_rows_is_a_clear_error(tiny_mnist, tmp_path):
    # A truncated or empty download, one array, random bytes, Keras's 28 x 28
    # images: zipfile's, EOFError's and NumPy's own errors (or "28 features"
    # and a failure after loading), where the main job promises one line.
    raw = tiny_mnist.read_bytes()
    rng = np.random.RandomState(0)
    files = {
        "truncated.npz": (raw[: len(raw) // 2], "not a readable .npz file"),
        # NumPy < 2 reads an empty file as not its own.
        "empty.npz": (b"", "not a (readable|NumPy) .npz file"),
        "random.bin": (rng.bytes(1000), "not a NumPy .npz file"),
    }
    for name, (content, match) in files.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(ValueError, match=match):
            load_mnist(tmp_path / name)
    np.save(tmp_path / "one.npy", np.zeros((3, 784)))
    with pytest.raises(ValueError, match="holds one array"):
        load_mnist(tmp_path / "one.npy")
    images = {key: np.load(tiny_mnist)[key] for key in ("y_train", "y_test")}
    np.savez(
        tmp_path / "keras.npz",
        X_train=np.zeros((6, 28, 28)),
        X_test=np.zeros((3, 28, 28)),
        **images,
    )
    with pytest.raises(ValueError, match=r"X_train has shape \(6, 28, 28\)"):
        load_mnist(tmp_path / "keras.npz")
    # A damaged member of a readable archive: zipfile's error, on reading it.
    damaged = bytearray(raw)
    start = raw.index(b"y_train.npy") + 200
    damaged[start : start + 4] = b"\xff\xff\xff\xff"
    (tmp_path / "crc.npz").write_bytes(bytes(damaged))
    with pytest.raises(ValueError, match="not a readable .npz file"):
        load_mnist(tmp_path / "crc.npz")


def test_labels_as_a_column_are_labels(tiny_mnist, tmp_path):
    arrays = dict(np.load(tiny_mnist))
    arrays["y_train"] = arrays["y_train"][:, None]
    np.savez(tmp_path / "column.npz", **arrays)
    _, _, y_train, _ = load_mnist(tmp_path / "column.npz")
    np.testing.assert_array_equal(y_train, np.arange(6))
