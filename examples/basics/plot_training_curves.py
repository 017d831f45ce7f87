"""
Training and validation curves, early stopping on any metric
============================================================

With a validation set (held out from ``X``, or passed as ``X_val, y_val``) the
classifier records the validation loss and score of every epoch beside the
training loss. Early stopping can watch any scikit-learn scorer; here the
macro-averaged recall, on a validation set we choose.
"""

# %%
from sklearn.datasets import load_digits
from sklearn.metrics import make_scorer, recall_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skmlp_numpy import LossCurveDisplay, TwoLayerNetClassifier

X, y = load_digits(return_X_y=True)
X_train, X_val, y_train, y_val = train_test_split(X, y, stratify=y, random_state=0)
# Scaled by the training rows' statistics only, so that nothing of the
# validation rows leaks into training.
scaler = StandardScaler().fit(X_train)
X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)

clf = TwoLayerNetClassifier(
    hidden_size=64,
    early_stopping=True,
    scoring=make_scorer(recall_score, average="macro"),
    n_iter_no_change=15,
    max_iter=500,
    random_state=0,
)
clf.fit(X_train, y_train, X_val=X_val, y_val=y_val)
print(f"stopped after {clf.n_iter_} epochs")
print(f"best validation recall: {clf.best_validation_score_:.4f}")

# %%
# The curves
# ----------
display = LossCurveDisplay.from_estimator(clf)
