#!/usr/bin/python3
"""The serving benchmark's model and request bodies.

Trains a scikit-learn LogisticRegression on a seeded synthetic 20-feature binary data set and writes, next to this file:

  model.onnx          the same model built by hand with onnx.helper: input `features` float32 [N,20],
                      MatMul + Add + Sigmoid, output `probability` float32 [N,1] (opset 13, IR version 8)
  model.json          feature names, coefficients and intercept (the bare ASP.NET endpoint and the FastAPI app
                      rebuild the model from it)
  metadata.json       Warden upload metadata: the declared features f0…f19 (numeric, float32, classified public)
  metadata-unclassified.json  the same without a data classification (Warden's default: personal)
  card.json           a complete model card (all seven sections) for Warden's compliance gate
  body-tabular.json   {"records":[{"f0":…,…,"f19":…}]} — Warden's tabular endpoint, the bare endpoint and FastAPI
  body-bare.json      the same bytes as body-tabular.json
  body-fastapi.json   the same bytes as body-tabular.json
  body-oip.json       the same record as an Open Inference Protocol v2 request
  expected.json       the probability scikit-learn gives for the body's record (run.sh checks every contender)

Run with Debian's Python (python3-sklearn, python3-onnx):
    /usr/bin/python3 bench/serving/make_model.py
The outputs are committed, so the harness runs from a fresh clone without this step.
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20261127
N_FEATURES = 20
FEATURES = [f"f{i}" for i in range(N_FEATURES)]

X, y = make_classification(n_samples=5000, n_features=N_FEATURES, n_informative=8, n_redundant=4,
                           class_sep=1.0, flip_y=0.05, random_state=SEED)
# Six decimals, as a client would send them: short numbers in the bodies; float32 (Warden, ONNX Runtime) and float64
# (the bare endpoint, FastAPI) readings of them differ by less than 1e-7.
X = np.round(X, 6)
train, test = slice(0, 4000), slice(4000, 5000)
model = LogisticRegression(max_iter=1000).fit(X[train], y[train])
auc = roc_auc_score(y[test], model.predict_proba(X[test])[:, 1])

coef = model.coef_[0].astype(np.float32)
intercept = np.float32(model.intercept_[0])

graph = helper.make_graph(
    [
        helper.make_node("MatMul", ["features", "weights"], ["logit_raw"]),
        helper.make_node("Add", ["logit_raw", "bias"], ["logit"]),
        helper.make_node("Sigmoid", ["logit"], ["probability"]),
    ],
    "serving_bench_logreg",
    [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", N_FEATURES])],
    [helper.make_tensor_value_info("probability", TensorProto.FLOAT, ["N", 1])],
    [
        numpy_helper.from_array(coef.reshape(N_FEATURES, 1), "weights"),
        numpy_helper.from_array(np.array([intercept], dtype=np.float32), "bias"),
    ],
)
onnx_model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="warden-serving-bench")
onnx_model.ir_version = 8
onnx.checker.check_model(onnx_model)
onnx.save(onnx_model, os.path.join(HERE, "model.onnx"))


def write_json(name, value, indent=None):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(value, f, indent=indent)
        if indent is not None:
            f.write("\n")


# float(np.float32) prints the shortest decimal that round-trips the float32 value in float64; the C# and Python
# servers read the same doubles, Warden and ONNX Runtime the same float32s.
write_json("model.json", {
    "name": "serving-bench",
    "features": FEATURES,
    "coefficients": [float(c) for c in coef],
    "intercept": float(intercept),
    "seed": SEED,
    "test_roc_auc": round(float(auc), 6),
}, indent=1)

METADATA = {
    "features": [{"name": name, "kind": "numeric", "elementType": "float32"} for name in FEATURES],
    "lineage": {"codeReference": "bench/serving/make_model.py",
                "hyperParameters": {"C": "1.0", "max_iter": "1000", "seed": str(SEED)},
                "trainingMetrics": {"roc_auc": round(float(auc), 6)}},
}
# The features are synthetic (make_classification), so they are classified public: stored prediction events keep the
# values. metadata-unclassified.json leaves them unclassified, which Warden treats as personal (a keyed pseudonym per
# value in every stored event); run.sh measures that too, for transparency.
write_json("metadata.json", {**METADATA, "dataClassification": [
    {"feature": name, "classification": "public", "justification": "synthetic make_classification feature; describes no person"}
    for name in FEATURES]}, indent=1)
write_json("metadata-unclassified.json", METADATA, indent=1)

write_json("card.json", {
    "intendedUse": "Benchmark model for the serving harness in bench/serving: a 20-feature logistic regression scored "
                   "by Warden, a bare ASP.NET endpoint, FastAPI and raw ONNX Runtime.",
    "outOfScopeUse": "Any real decision about people or money; the data are synthetic.",
    "trainingData": f"4,000 rows of sklearn.datasets.make_classification (20 features, 8 informative, 4 redundant, "
                    f"seed {SEED}).",
    "evaluationData": "1,000 held-out rows of the same synthetic data set.",
    "metrics": f"ROC AUC on the held-out rows: {auc:.4f}.",
    "ethicalConsiderations": "None: no personal data, no people affected; synthetic features only.",
    "caveatsAndRecommendations": "Measures serving overhead only; the model is deliberately trivial.",
}, indent=1)

record_values = X[test][0]
record = {name: round(float(v), 6) for name, v in zip(FEATURES, record_values)}
tabular = {"records": [record]}
for name in ("body-tabular.json", "body-bare.json", "body-fastapi.json"):
    write_json(name, tabular)
write_json("body-oip.json", {"inputs": [{"name": "features", "shape": [1, N_FEATURES], "datatype": "FP32",
                                         "data": [record[name] for name in FEATURES]}]})

expected = float(model.predict_proba(record_values.reshape(1, -1))[0, 1])
# What the float32 graph computes, as a cross-check of the ONNX weights against scikit-learn.
logit32 = np.float32(record_values.astype(np.float32) @ coef + intercept)
onnx_like = float(np.float32(1) / (np.float32(1) + np.exp(-logit32)))
assert abs(onnx_like - expected) < 1e-5, (onnx_like, expected)
write_json("expected.json", {"probability": expected, "prediction": expected >= 0.5}, indent=1)
print(f"wrote model.onnx, model.json, metadata.json, card.json, bodies and expected.json "
      f"(test ROC AUC {auc:.4f}, body probability {expected:.6f})")
