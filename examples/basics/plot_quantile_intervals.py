"""
Prediction intervals with quantile nets
=======================================

With ``loss="quantile"``, :class:`~skmlp_numpy.TwoLayerNetRegressor`
predicts a quantile of the target instead of its mean: at ``quantile=0.05``
a value that about 5% of the targets fall below, at ``quantile=0.95`` one
that about 5% rise above. Two such nets bracket a 90% prediction interval,
which widens where the data are noisier. Here they stand beside
:class:`~sklearn.ensemble.HistGradientBoostingRegressor`, whose ``loss`` and
``quantile`` mean the same.
"""

# %%
# Noise that grows along the curve
# --------------------------------
# The target is a smooth curve plus Gaussian noise whose spread grows with
# ``x``, so the true 5% and 95% quantiles are known:
# :math:`f(x) \pm 1.645\, \sigma(x)`.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp_numpy import TwoLayerNetRegressor


def f(x):
    return np.sin(1.5 * x) + x / 3


def sigma(x):
    return 0.05 + 0.12 * x


rng = np.random.RandomState(0)
x = rng.uniform(0, 6, size=4000)
y = f(x) + sigma(x) * rng.normal(size=4000)
X = x[:, np.newaxis]
X_train, X_test, y_train, y_test = X[:2000], X[2000:], y[:2000], y[2000:]

# %%
# Three nets and three boosted models
# -----------------------------------
# One model per quantile: the median draws the curve, the 5% and 95%
# quantiles the band. The nets use the smooth ``"gelu"`` activation and
# L-BFGS, whose full-batch steps settle where the pinball loss balances, with
# a share ``q`` of the training rows below the curve. (Adam's minibatch steps
# keep a constant size on this loss, and jitter around that point: with Adam,
# take a smaller ``learning_rate_init`` or larger batches.)
quantiles = [0.05, 0.5, 0.95]
nets = {
    q: make_pipeline(
        StandardScaler(),
        TwoLayerNetRegressor(
            hidden_size=50,
            activation="gelu",
            loss="quantile",
            quantile=q,
            solver="lbfgs",
            max_iter=500,
            random_state=0,
        ),
    ).fit(X_train, y_train)
    for q in quantiles
}
boosted = {}
for q in quantiles:
    model = HistGradientBoostingRegressor(loss="quantile", quantile=q, random_state=0)
    boosted[q] = model.fit(X_train, y_train)


def coverage(models):
    """The share of test targets inside the 5%-95% band: 90% is right."""
    low, high = models[0.05].predict(X_test), models[0.95].predict(X_test)
    return np.mean((low <= y_test) & (y_test <= high))


for name, models in [("nets", nets), ("boosted trees", boosted)]:
    print(f"{name}: the 90% band covers {coverage(models):.1%} of the test rows")

# %%
# The bands side by side
# ----------------------
grid = np.linspace(0, 6, 500)
panels = {
    "TwoLayerNetRegressor (gelu)": nets,
    "HistGradientBoostingRegressor": boosted,
}
fig, axes = plt.subplots(
    1, 2, figsize=(8, 4.2), sharex=True, sharey=True, layout="constrained"
)
for ax, (title, models) in zip(axes, panels.items(), strict=True):
    low, median, high = (models[q].predict(grid[:, np.newaxis]) for q in quantiles)
    ax.scatter(X_test[:, 0], y_test, s=2, color="0.7", label="test rows")
    ax.fill_between(
        grid, low, high, color="tab:blue", alpha=0.3, label="predicted 5%–95%"
    )
    ax.plot(grid, median, color="tab:blue", linewidth=2, label="predicted median")
    for sign in (-1, 1):
        ax.plot(
            grid,
            f(grid) + sign * 1.645 * sigma(grid),
            color="black",
            linestyle="--",
            linewidth=1,
            label="true 5% and 95%" if sign == 1 else None,
        )
    ax.set_title(f"{title}\n90% band covers {coverage(models):.1%}", fontsize=11)
    ax.set_xlabel("x")
axes[0].set_ylabel("y")
fig.legend(
    *axes[0].get_legend_handles_labels(),
    loc="outside lower center",
    ncols=4,
    markerscale=4,
)
plt.show()

# %%
# Both bands widen with the noise, as quantiles should. The nets' band is
# smooth, follows the true quantiles closely and covers about 90% of new
# rows. With their defaults, the boosted trees' band is a staircase that
# follows the noise of the 2,000 training rows, and covers less than it
# should; regularised (``min_samples_leaf=100, max_iter=50``), they cover 90%
# too.
#
# A model's ``score`` stays R², which says nothing of a quantile; judge a
# quantile model by its coverage, as here, or by
# :func:`~sklearn.metrics.mean_pinball_loss` with ``alpha=q``.
