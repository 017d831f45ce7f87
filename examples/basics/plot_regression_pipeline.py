"""
Regression in a pipeline, with a target transformer and a grid search
=====================================================================

:class:`~skmlp_numpy.TwoLayerNetRegressor` on Friedman's first benchmark
function, as a scikit-learn user would set it up: the features standardized
in a :class:`~sklearn.pipeline.Pipeline`, the target standardized by a
:class:`~sklearn.compose.TransformedTargetRegressor`, and the hidden size and
the L2 penalty chosen by a cross-validated grid search. The last section fits
counts with the Poisson loss.
"""

# %%
# Data
# ----
# Five informative features, five of noise, and a smooth non-linear target.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import make_friedman1
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp_numpy import TwoLayerNetRegressor

X, y = make_friedman1(n_samples=1000, noise=0.5, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

# %%
# Pipeline and grid search
# ------------------------
# Grid-search parameters reach the network through the target transformer
# (``regressor__``) and the pipeline step (``twolayernetregressor__``).
model = TransformedTargetRegressor(
    make_pipeline(
        StandardScaler(),
        TwoLayerNetRegressor(solver="lbfgs", max_iter=3000, random_state=0),
    ),
    transformer=StandardScaler(),
)
prefix = "regressor__twolayernetregressor__"
grid = {f"{prefix}hidden_size": [10, 30, 100], f"{prefix}alpha": [1e-3, 1e-1, 10.0]}
search = GridSearchCV(model, grid, cv=3, n_jobs=2).fit(X_train, y_train)
best = {name.removeprefix(prefix): value for name, value in search.best_params_.items()}
print("best parameters:", best)
print(f"test R²: {search.score(X_test, y_test):.3f}")

# %%
# The same pipeline around MLPRegressor, with the grid's best settings,
# trains the same network: scores agree.
mlp = TransformedTargetRegressor(
    make_pipeline(
        StandardScaler(),
        MLPRegressor(
            hidden_layer_sizes=(best["hidden_size"],),
            alpha=best["alpha"],
            solver="lbfgs",
            max_iter=3000,
            random_state=0,
        ),
    ),
    transformer=StandardScaler(),
).fit(X_train, y_train)
print(f"MLPRegressor, same settings, test R²: {mlp.score(X_test, y_test):.3f}")

# %%
# Predictions against the truth
# -----------------------------
fig, ax = plt.subplots(figsize=(5, 5))
ax.scatter(y_test, search.predict(X_test), s=8, alpha=0.6)
lims = [y_test.min(), y_test.max()]
ax.plot(lims, lims, color="grey", linewidth=1)
ax.set_xlabel("true target")
ax.set_ylabel("predicted")
ax.set_title("TwoLayerNetRegressor on Friedman #1 (test set)")
plt.show()

# %%
# Counts: the Poisson loss
# ------------------------
# With ``loss="poisson"`` the output is exponential, so predictions are
# positive rates, and training minimises the Poisson deviance. Here the
# counts follow a rate that depends on the features non-linearly.
rng = np.random.RandomState(0)
X_counts = rng.uniform(-1, 1, size=(2000, 3))
rate = np.exp(1.0 + np.sin(3 * X_counts[:, 0]) * X_counts[:, 1])
counts = rng.poisson(rate)
poisson = TwoLayerNetRegressor(
    hidden_size=20,
    loss="poisson",
    solver="lbfgs",
    alpha=1e-2,
    max_iter=1000,
    random_state=0,
).fit(X_counts[:1500], counts[:1500])
predicted = poisson.predict(X_counts[1500:])
print(f"smallest predicted rate: {predicted.min():.3f} (always positive)")
print(
    "mean absolute error of the rate: "
    f"{np.abs(predicted - rate[1500:]).mean():.3f} "
    f"(of a mean rate of {rate[1500:].mean():.2f})"
)
