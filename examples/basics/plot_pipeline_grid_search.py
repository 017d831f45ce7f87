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
print("best parameters:", search.best_params_)
print(f"test accuracy: {search.score(X_test, y_test):.4f}")

# %%
# Cross-validated accuracy by hidden size, one line per penalty.
scores = search.cv_results_["mean_test_score"].reshape(4, 3)
fig, ax = plt.subplots()
for j, alpha in enumerate(grid["twolayernetclassifier__alpha"]):
    ax.plot(
        grid["twolayernetclassifier__hidden_size"],
        scores[:, j],
        "o-",
        label=f"alpha={alpha}",
    )
ax.set_xscale("log", base=2)
ax.set_xlabel("hidden units")
ax.set_ylabel("mean CV accuracy")
ax.legend()
print(np.round(scores, 4))
