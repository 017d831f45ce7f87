"""
Pipeline and grid search on digits
==================================

A scaler and the network in one pipeline, with the hidden size and the L2
penalty chosen by cross-validated grid search.
"""

# %%
# Data and pipeline
# -----------------
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import PercentFormatter
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp_numpy import TwoLayerNetClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
pipe = make_pipeline(
    StandardScaler(),
    TwoLayerNetClassifier(learning_rate_init=0.01, max_iter=300, random_state=0),
)

# %%
# Grid search
# -----------
grid = {
    "twolayernetclassifier__hidden_size": [16, 32, 64, 128],
    "twolayernetclassifier__alpha": [1e-4, 1e-2, 1.0],
}
search = GridSearchCV(pipe, grid, cv=3, n_jobs=2).fit(X_train, y_train)
best = {name.split("__")[1]: value for name, value in search.best_params_.items()}
print("best parameters:", best)
print(f"test accuracy: {search.score(X_test, y_test):.4f}")

# %%
# Cross-validated accuracy by hidden size, one line per penalty.
sizes = grid["twolayernetclassifier__hidden_size"]
alphas = grid["twolayernetclassifier__alpha"]
# GridSearchCV orders the candidates by parameter name (alpha, then
# hidden_size), the last name varying fastest: one row per alpha.
means = search.cv_results_["mean_test_score"].reshape(len(alphas), len(sizes))
stds = search.cv_results_["std_test_score"].reshape(len(alphas), len(sizes))

fig, ax = plt.subplots(layout="constrained")
for j, alpha in enumerate(alphas):
    # Shifted a little sideways, so that the error bars do not cover each other.
    shifted = np.array(sizes) * 2 ** (0.06 * (j - 1))
    ax.errorbar(shifted, means[j], yerr=stds[j], fmt="o-", capsize=3, label=str(alpha))
ax.set_xscale("log", base=2)
ax.set_xticks(sizes, [str(size) for size in sizes])
ax.minorticks_off()
# Ten points of accuracy (more if the error bars need them), not the one that
# the means span: differences within the error bars (one standard deviation
# over the 3 folds) are noise, not a pattern.
ax.set_ylim(min(0.9, (means - stds).min() - 0.01), 1.0)
ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
ax.set_xlabel("hidden units")
ax.set_ylabel("CV accuracy (mean ± std over 3 folds)")
ax.legend(title="alpha", loc="lower right")
plt.show()

print("hidden units" + "".join(f"{'alpha=' + str(alpha):>20}" for alpha in alphas))
for i, size in enumerate(sizes):
    cells = "".join(
        f"{means[j, i]:11.4f} ± {stds[j, i]:.4f}" for j in range(len(alphas))
    )
    print(f"{size:12d}{cells}")
