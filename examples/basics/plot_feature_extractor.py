"""
A trained net as a feature extractor
====================================

A trained :class:`~skmlp_numpy.TwoLayerNetClassifier` is also a transformer:
``transform(X)`` returns its hidden layer, :math:`H = f(X W_1 + b_1)`, the
features it has learned. Here a net trained on the digits feeds its 64 hidden
features to a :class:`~sklearn.linear_model.LogisticRegression` in a
pipeline, and a map of those features shows what the net has learned.
"""

# %%
# The net as a pipeline step
# --------------------------
# The pipeline trains the net on the pixels and the labels, then the
# logistic regression on the net's hidden features (``fit_transform``).
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.manifold import TSNE
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skmlp_numpy import TwoLayerNetClassifier

X, y = load_digits(return_X_y=True)
X = X / 16  # pixels in [0, 1]
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
pipe = make_pipeline(
    TwoLayerNetClassifier(
        hidden_size=64, learning_rate_init=0.01, max_iter=200, random_state=0
    ),
    LogisticRegression(max_iter=1000),
).fit(X_train, y_train)
net = pipe[0]
print(f"the net:                 {net.score(X_test, y_test):.3f}")
print(f"LogisticRegression on H: {pipe.score(X_test, y_test):.3f}")

# %%
# A linear model on the 64 hidden features classifies as well as the net's
# own output layer, which is a linear model on the same features: what the
# net has learned lies in them.
#
# The features have names, as a scikit-learn transformer's outputs do, and
# come as a DataFrame with ``set_output``.
print(net.get_feature_names_out()[:4])
net.set_output(transform="pandas").transform(X_test).iloc[:4, :4].round(2)

# %%
# A map of the features
# ---------------------
# t-SNE draws the 450 test digits in two dimensions, once from their 64
# pixels and once from their 64 hidden features, keeping close rows close.
# The digits that the pipeline gets wrong are crossed.
H = net.set_output(transform="default").transform(X_test)
wrong = pipe.predict(X_test) != y_test
views = {"From the pixels": X_test, "From the hidden features": H}
colors = plt.get_cmap("tab10")

fig, axes = plt.subplots(1, 2, figsize=(8, 4.6), layout="constrained")
for ax, (title, features) in zip(axes, views.items(), strict=True):
    tsne = TSNE(n_components=2, init="pca", random_state=0)
    xy = tsne.fit_transform(features)
    for digit in range(10):
        rows = y_test == digit
        ax.scatter(*xy[rows].T, s=8, color=colors(digit), label=str(digit))
        ax.annotate(
            str(digit),
            np.median(xy[rows], axis=0),
            fontsize=12,
            fontweight="bold",
            ha="center",
            va="center",
            bbox={"boxstyle": "circle,pad=0.15", "fc": "white", "alpha": 0.8},
        )
    ax.scatter(*xy[wrong].T, s=30, color="black", marker="x", label="misclassified")
    ax.set_title(title)
    ax.set_xlabel("t-SNE 1")
    ax.set_ylabel("t-SNE 2")
    ax.set_xticks([])
    ax.set_yticks([])
handles, labels = axes[1].get_legend_handles_labels()
fig.legend(
    handles,
    labels,
    loc="outside lower center",
    ncols=11,
    handletextpad=0.1,
    columnspacing=0.9,
    title="digit",
)
plt.show()

# %%
# From the pixels, digits straggle into their neighbours (the 1s spread
# across the middle, beside the 8s). The hidden features pull most digits
# into compact clusters far apart, which a linear model separates easily.
# The 1s and the 8s stay side by side, and that is where the mistakes are:
# six of the eleven misclassified digits are taken for a 1 or an 8.
