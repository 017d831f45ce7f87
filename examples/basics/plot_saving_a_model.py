"""
Saving and loading a model: joblib and skops
============================================

joblib (or pickle) saves any estimator, but loading a pickle runs arbitrary
code: load only files you trust. skops saves the same model in a format that
loads without running code, trusting only the types you name.
"""

# %%
import tempfile
from pathlib import Path

import joblib
import numpy as np
import skops.io as sio
from sklearn.datasets import load_digits
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp_numpy import TwoLayerNetClassifier

X, y = load_digits(return_X_y=True)
# Trained to convergence (130 epochs): no ConvergenceWarning in the output.
model = make_pipeline(StandardScaler(), TwoLayerNetClassifier(random_state=0))
model.fit(X, y)
folder = Path(tempfile.mkdtemp())
# sphinx_gallery_thumbnail_path = "_static/thumbnails/saving_a_model.png"

# %%
# joblib
# ------
joblib.dump(model, folder / "model.joblib")
loaded = joblib.load(folder / "model.joblib")
print(
    "same probabilities:",
    np.array_equal(loaded.predict_proba(X), model.predict_proba(X)),
)

# %%
# skops
# -----
# The only type to trust beyond scikit-learn's and NumPy's is the estimator
# itself: what a warm start resumes (the optimizer's moments, the progress)
# is saved as plain values.
sio.dump(model, folder / "model.skops")
untrusted = sio.get_untrusted_types(file=folder / "model.skops")
print("types to review:", untrusted)
assert untrusted == ["skmlp_numpy._classifier.TwoLayerNetClassifier"]
loaded = sio.load(folder / "model.skops", trusted=untrusted)
print(
    "same probabilities:",
    np.array_equal(loaded.predict_proba(X), model.predict_proba(X)),
)
