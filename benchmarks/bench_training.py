"""Training speed on MNIST: skmlp_numpy against MLPClassifier, torch and the BLAS bound.

Every contender trains the same network (784-h-10, ReLU, softmax) with the
same solver, batch size, number of epochs and dtype, on the same data, in
this one process. Contenders alternate over several rounds and the medians
are reported, so that a noisy machine slows them all alike. The lower bound is
the time of the network's five matrix products alone, for the same shapes and
number of batches, measured in the same rounds; "bound+gather" adds what
every contender must also do, gather each shuffled batch from the training
rows in main memory.

A "minimal loop" contender trains the same network on the same batches in
about 30 lines of plain NumPy: ours divided by it is what the estimator's
machinery costs. The float64-input section times what a pipeline hands over
(float64 rows): ours with ``dtype=np.float32`` against MLPClassifier, which
trains in float64, with ours in float64 for the accuracy.

Run from the project's root (about 15 minutes on 2 cores)::

    python benchmarks/bench_training.py --mnist-path "$SKMLP_MNIST"

``--threads 1`` or ``--threads default`` limits the BLAS thread counts (both
by default); ``--quick`` runs fewer rounds, epochs and configurations (a smoke
test: on a busy machine 2 epochs can put any contender ahead, so its output
says not to quote it); ``--no-sweep`` leaves out the sweep of hidden sizes,
memory and throughput.

Each section names its recipe in full (the words the README's tables use) and
each contender's time is the median of the rounds, with their range.
"""

import argparse
import statistics
import time
import tracemalloc
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_info, threadpool_limits

from skmlp_numpy import TwoLayerNetClassifier
from skmlp_numpy.datasets import load_mnist

try:
    import torch
except ImportError:
    torch = None

# name: (hidden, solver, batch size, learning rate, epochs for accuracy)
RECIPES = {
    "tutorial sgd h50 b100": (50, "sgd", 100, 0.1, 17),
    "adam h100 b200": (100, "adam", 200, 1e-3, 10),
}
SWEEP_HIDDEN = (50, 256, 800)
SOLVER_NAMES = {"sgd": "SGD", "adam": "Adam"}


def recipe_in_words(name, epochs=None):
    """``RECIPES[name]`` as the README names it: every setting, seed aside."""
    hidden, solver, batch, lr, full_epochs = RECIPES[name]
    words = [f"784-{hidden}-10", SOLVER_NAMES[solver], f"lr {lr:g}"]
    if solver == "sgd":
        words.append("momentum 0")  # _shared sets it; only SGD uses it
    words += ["alpha 0", f"batch {batch}", f"{epochs or full_epochs} epochs"]
    return ", ".join(words)


def _shared(solver, batch, lr, epochs):
    """The parameters both scikit-learn-style contenders take under one name."""
    return dict(
        solver=solver,
        batch_size=batch,
        learning_rate_init=lr,
        max_iter=epochs,
        momentum=0.0,
        alpha=0.0,
        random_state=0,
    )


def ours(hidden, solver, batch, lr, epochs):
    return TwoLayerNetClassifier(
        hidden_size=hidden, **_shared(solver, batch, lr, epochs)
    )


def mlp(hidden, solver, batch, lr, epochs):
    return MLPClassifier(
        hidden_layer_sizes=(hidden,), **_shared(solver, batch, lr, epochs)
    )


class MinimalLoop:
    """The same network, math and batches in plain NumPy, with no estimator.

    Glorot-uniform weights, the batches of a cumulatively shuffled order, the
    loss of each batch, and SGD or Adam on each weight array: what a
    30-line training loop does. Ours divided by it is what the estimator's
    machinery (validation, the fit state, commits, callbacks) costs. Batches
    of float64 data are cast to ``dtype`` as they are gathered, as ours are.
    """

    def __init__(self, hidden, solver, batch, lr, epochs, dtype=None):
        self.hidden, self.solver, self.batch, self.lr, self.epochs = (
            hidden,
            solver,
            batch,
            lr,
            epochs,
        )
        self.dtype = dtype

    def fit(self, X, y):
        dtype = np.dtype(self.dtype or X.dtype)
        rng, n, k = np.random.RandomState(0), X.shape[0], int(y.max()) + 1

        def glorot(fan_in, fan_out):
            r = np.sqrt(6 / (fan_in + fan_out))
            W, b = rng.uniform(-r, r, (fan_in, fan_out)), rng.uniform(-r, r, fan_out)
            return [W.astype(dtype), b.astype(dtype)]

        self.params = glorot(X.shape[1], self.hidden) + glorot(self.hidden, k)
        W1, b1, W2, b2 = self.params
        m = [np.zeros_like(p) for p in self.params]
        v = [np.zeros_like(p) for p in self.params]
        order, t, self.loss_curve_ = np.arange(n), 0, []
        for _ in range(self.epochs):
            rng.shuffle(order)
            total = 0.0
            for start in range(0, n, self.batch):
                idx = order[start : start + self.batch]
                xb, yb, rows = (
                    X[idx].astype(dtype, copy=False),
                    y[idx],
                    np.arange(len(idx)),
                )
                H = np.maximum(xb @ W1 + b1, 0)
                Z = H @ W2 + b2
                Z -= Z.max(axis=1, keepdims=True)
                P = np.exp(Z)
                P /= P.sum(axis=1, keepdims=True)
                total -= np.log(np.maximum(P[rows, yb], 1e-7)).sum()
                P[rows, yb] -= 1
                P /= len(idx)
                dH = (P @ W2.T) * (H > 0)
                grads = [xb.T @ dH, dH.sum(axis=0), H.T @ P, P.sum(axis=0)]
                t += 1
                for p, g, m_, v_ in zip(self.params, grads, m, v, strict=True):
                    if self.solver == "sgd":
                        p -= self.lr * g
                        continue
                    m_ *= 0.9
                    m_ += 0.1 * g
                    v_ *= 0.999
                    v_ += 0.001 * g * g
                    step = self.lr * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
                    p -= step * m_ / (np.sqrt(v_) + 1e-8)
            self.loss_curve_.append(total / n)
        return self

    def score(self, X, y):
        W1, b1, W2, b2 = self.params
        H = np.maximum(X.astype(W1.dtype) @ W1 + b1, 0)
        return float(((H @ W2 + b2).argmax(axis=1) == y).mean())


class TorchNet:
    """The same network and training loop in torch, on the CPU."""

    def __init__(self, hidden, solver, batch, lr, epochs):
        self.hidden, self.solver, self.batch, self.lr, self.epochs = (
            hidden,
            solver,
            batch,
            lr,
            epochs,
        )

    def fit(self, X, y):
        torch.manual_seed(0)
        X = torch.from_numpy(X)
        y = torch.from_numpy(y)
        self.model = torch.nn.Sequential(
            torch.nn.Linear(X.shape[1], self.hidden),
            torch.nn.ReLU(),
            torch.nn.Linear(self.hidden, 10),
        ).to(X.dtype)
        opt_class = torch.optim.SGD if self.solver == "sgd" else torch.optim.Adam
        opt = opt_class(self.model.parameters(), lr=self.lr)
        loss_fn = torch.nn.CrossEntropyLoss()
        for _ in range(self.epochs):
            order = torch.randperm(X.shape[0])
            for start in range(0, X.shape[0], self.batch):
                idx = order[start : start + self.batch]
                opt.zero_grad(set_to_none=True)
                loss_fn(self.model(X[idx]), y[idx]).backward()
                opt.step()
        return self

    def predict_proba(self, X):
        with torch.no_grad():
            return torch.softmax(self.model(torch.from_numpy(X)), dim=1).numpy()

    def score(self, X, y):
        return float((self.predict_proba(X).argmax(axis=1) == y).mean())


def gemm_bound(X_train, hidden, batch, gather=False):
    """Seconds for the five matrix products of one epoch's whole batches, alone.

    With ``gather``, each batch is first gathered from ``X_train`` in a
    shuffled order, as every contender's training loop must do: the rows come
    from main memory rather than from a cache-resident batch reused each time.
    """
    rng = np.random.RandomState(0)
    n_samples, n_features = X_train.shape
    dtype = X_train.dtype
    X = rng.rand(batch, n_features).astype(dtype)
    W1 = rng.rand(n_features, hidden).astype(dtype)
    W2 = rng.rand(hidden, 10).astype(dtype)
    H, P = np.empty((batch, hidden), dtype), np.empty((batch, 10), dtype)
    dW1, dW2, dH = np.empty_like(W1), np.empty_like(W2), np.empty_like(H)
    order = rng.permutation(n_samples)
    start = time.perf_counter()
    for first in range(0, n_samples - batch + 1, batch):
        if gather:
            X_train.take(order[first : first + batch], axis=0, out=X, mode="clip")
        np.matmul(X, W1, out=H)  # forward, hidden layer
        np.matmul(H, W2, out=P)  # forward, output layer
        np.matmul(H.T, P, out=dW2)  # backward: output weights
        np.matmul(P, W2.T, out=dH)  # backward: into the hidden layer
        np.matmul(X.T, dH, out=dW1)  # backward: hidden weights
    return time.perf_counter() - start


def timed_fit(make, config, X, y, epochs):
    model = make(*config[:4], epochs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X, y)
        return model, (time.perf_counter() - start) / epochs


def compare(name, config, data, rounds, epochs, accuracy, contenders=None):
    """Alternate the contenders over ``rounds``; print medians and ratios.

    The first contender is "ours" for the ratios; the bound is computed in
    the dtype that contender trains in.
    """
    X_train, X_test, y_train, y_test = data
    if contenders is None:
        contenders = {
            "skmlp_numpy": ours,
            "MLPClassifier": mlp,
            "minimal loop": MinimalLoop,
        }
        if torch is not None:
            contenders["torch"] = TorchNet
    first = next(iter(contenders))
    bound_X = X_train
    if "float32" in first and X_train.dtype != np.float32:
        bound_X = X_train.astype(np.float32)
    times = {key: [] for key in [*contenders, "bound", "bound+gather"]}
    scores = {}
    for _ in range(rounds):
        for key, make in contenders.items():
            model, seconds = timed_fit(make, config, X_train, y_train, epochs)
            times[key].append(seconds)
            if accuracy:
                scores[key] = model.score(X_test, y_test)
        times["bound"].append(gemm_bound(bound_X, config[0], config[2]))
        times["bound+gather"].append(
            gemm_bound(bound_X, config[0], config[2], gather=True)
        )
    med = {key: statistics.median(values) for key, values in times.items()}
    print(f"\n{name}, {X_train.dtype}, {epochs} epochs x {rounds} rounds (s per epoch)")
    recipe = name.split(",")[0]
    if recipe in RECIPES:
        print(f"  recipe: {recipe_in_words(recipe, epochs)}, seed 0")
    for key, value in med.items():
        line = f"  {key:22s} {value:7.3f} s   {value / med['bound']:5.2f}x bound"
        if key in contenders:
            line += f"   {first} is {value / med[first]:5.2f}x faster"
        if key in scores:
            line += f"   test accuracy {scores[key]:.4f}"
        line += f"   range {min(times[key]):.3f}-{max(times[key]):.3f} s"
        print(line)
    return med


def peak_memory(make, config, X, y):
    """Peak memory allocated during a 1-epoch fit, beyond the data, in MB."""
    model = make(*config[:4], 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        tracemalloc.start()
        model.fit(X, y)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return model, peak / 2**20


def predict_throughput(model, X, rounds):
    seconds = []
    for _ in range(rounds):
        start = time.perf_counter()
        model.predict_proba(X)
        seconds.append(time.perf_counter() - start)
    return X.shape[0] / statistics.median(seconds)


def run(threads, data, args):
    label = "1 BLAS thread" if threads == 1 else "default BLAS threads"
    print(f"\n=== {label} ===")
    with threadpool_limits(limits=threads):
        if torch is not None:
            torch.set_num_threads(threads or torch.get_num_threads())
        print([(i["internal_api"], i["num_threads"]) for i in threadpool_info()])
        for name, config in RECIPES.items():
            epochs = 2 if args.quick else config[4]
            compare(name, config, data, args.rounds, epochs, accuracy=True)
        # What a pipeline hands over: float64 rows (X / 255, a StandardScaler).
        data64 = tuple(a.astype(np.float64) if a.dtype.kind == "f" else a for a in data)
        for name, config in RECIPES.items():
            epochs = 2 if args.quick else config[4]
            contenders = {
                "ours dtype=float32": lambda *c: ours(*c).set_params(dtype=np.float32),
                "MLPClassifier": mlp,
                "ours float64": ours,
                "minimal loop float32": lambda *c: MinimalLoop(*c, dtype=np.float32),
            }
            compare(
                f"{name}, float64 input",
                config,
                data64,
                args.rounds,
                epochs,
                accuracy=True,
                contenders=contenders,
            )
        if args.quick or args.no_sweep:
            return
        for dtype in (np.float32, np.float64):
            cast = tuple(a.astype(dtype) if a.dtype.kind == "f" else a for a in data)
            for hidden in SWEEP_HIDDEN:
                config = (hidden, "adam", 200, 1e-3)
                compare(
                    f"adam h{hidden} b200", config, cast, args.rounds, 2, accuracy=False
                )

        config = RECIPES["adam h100 b200"]
        X_train, X_test, y_train, _ = data
        print("\nPeak memory of a 1-epoch fit beyond the data (tracemalloc)")
        fitted = {}
        for key, make in {"skmlp_numpy": ours, "MLPClassifier": mlp}.items():
            fitted[key], megabytes = peak_memory(make, config, X_train, y_train)
            print(f"  {key:14s} {megabytes:8.1f} MB")
        print(f"\npredict_proba on the {X_test.shape[0]} test rows (rows per second)")
        for key, model in fitted.items():
            rate = predict_throughput(model, X_test, 7)
            print(f"  {key:14s} {rate:12,.0f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist-path", help="MNIST .npz (default: $SKMLP_MNIST)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--threads", choices=["1", "default", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="fewer epochs, no sweep")
    parser.add_argument(
        "--no-sweep", action="store_true", help="no sweep of hidden sizes or memory"
    )
    parser.add_argument(
        "--no-torch", action="store_true", help="leave torch out even where installed"
    )
    args = parser.parse_args()
    global torch
    if args.no_torch:
        torch = None
    data = load_mnist(args.mnist_path)
    if args.quick:
        args.rounds = min(args.rounds, 3)
    if args.quick:
        print(
            f"QUICK RUN ({args.rounds} rounds of 2 epochs): a smoke test, too short "
            "to rank the contenders on a busy machine; do not quote it"
        )
    print(f"torch: {torch.__version__ if torch else 'not installed'}")
    for threads in {"1": [1], "default": [None], "both": [1, None]}[args.threads]:
        run(threads, data, args)


if __name__ == "__main__":
    main()
