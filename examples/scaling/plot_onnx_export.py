"""
Export to ONNX
==============

Importing :mod:`skmlp_numpy.export` registers both estimators with skl2onnx, so
that a model, or a pipeline containing it, converts like any scikit-learn
model and runs in onnxruntime, or any ONNX runtime, without Python.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
import onnxruntime as rt
import skl2onnx
from sklearn.datasets import load_digits
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skmlp_numpy.export  # noqa: F401  (registers the converters)
from skmlp_numpy import TwoLayerNetClassifier

X, y = load_digits(return_X_y=True)
X = X.astype(np.float32)
# Trained to convergence (130 epochs): no ConvergenceWarning in the output.
model = make_pipeline(StandardScaler(), TwoLayerNetClassifier(random_state=0))
model.fit(X, y)

# %%
# Convert, then run with onnxruntime
# ----------------------------------
onx = skl2onnx.to_onnx(model, X[:1], options={"zipmap": False})
session = rt.InferenceSession(
    onx.SerializeToString(), providers=["CPUExecutionProvider"]
)
labels, proba = session.run(None, {session.get_inputs()[0].name: X})
print("largest probability difference:", np.abs(proba - model.predict_proba(X)).max())
print("same labels:", np.array_equal(labels, model.predict(X)))

# %%
# Every probability, both ways
# ----------------------------
# Each point is one class probability of one image: onnxruntime's against
# ``predict_proba``. They lie on the diagonal.

fig, ax = plt.subplots(figsize=(4.5, 4.5))
# The diagonal behind the points, so that it hides none of them.
ax.plot([0, 1], [0, 1], color="grey", linewidth=1, zorder=0)
ax.scatter(model.predict_proba(X).ravel(), proba.ravel(), s=4, alpha=0.3)
ax.set_xlabel("predict_proba (NumPy)")
ax.set_ylabel("onnxruntime")
ax.set_title("ONNX export: the same probabilities")
plt.show()
