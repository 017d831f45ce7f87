"""
Grid search on a Dask cluster
=============================

scikit-learn's searches run their fits through joblib; under joblib's
``"dask"`` backend the fits go to the workers of a Dask cluster. Here the
cluster is a :class:`distributed.LocalCluster` (a scheduler and two workers,
in threads of this process). For a real cluster the only change is the
``Client``: ``Client("tcp://scheduler-host:8786")`` instead of a local one.
"""

# %%
import warnings

import joblib
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp_numpy import TwoLayerNetClassifier

warnings.simplefilter("ignore", ConvergenceWarning)
X, y = load_digits(return_X_y=True)
pipe = make_pipeline(
    StandardScaler(), TwoLayerNetClassifier(max_iter=50, random_state=0)
)
grid = {
    "twolayernetclassifier__hidden_size": [16, 64],
    "twolayernetclassifier__alpha": [1e-4, 1e-1],
}

# %%
# The same search, locally and on the cluster
# -------------------------------------------
local = GridSearchCV(pipe, grid, cv=3).fit(X, y)

# Workers in threads of this process: worker processes would import this
# script again, which a script run as it is cannot survive.
cluster = LocalCluster(
    n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
)
client = Client(cluster)  # for a real cluster: Client("tcp://scheduler-host:8786")
with joblib.parallel_backend("dask"):
    remote = GridSearchCV(pipe, grid, cv=3, n_jobs=-1).fit(X, y)
client.close()
cluster.close()

for where, search in [("local", local), ("cluster", remote)]:
    best = {name.split("__")[1]: value for name, value in search.best_params_.items()}
    print(f"best parameters, {where + ':':8}", best)
print(
    "same scores:",
    (
        local.cv_results_["mean_test_score"] == remote.cv_results_["mean_test_score"]
    ).all(),
)

# %%
# Scores of every candidate
# -------------------------

labels = [
    f"h={p['twolayernetclassifier__hidden_size']}, "
    f"alpha={p['twolayernetclassifier__alpha']:g}"
    for p in local.cv_results_["params"]
]
positions = np.arange(len(labels))
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.barh(positions - 0.2, local.cv_results_["mean_test_score"], 0.4, label="local")
ax.barh(positions + 0.2, remote.cv_results_["mean_test_score"], 0.4, label="cluster")
ax.set_yticks(positions, labels)
ax.set_xlim(0.8, 1.0)
ax.set_xlabel("mean cross-validated accuracy")
ax.legend(loc="lower right")
ax.set_title("The same grid search, locally and on Dask")
plt.tight_layout()
plt.show()
