#!/usr/bin/python3
"""Reference values for the registry's validation metrics and a small ONNX model.

Run with Debian's Python (python3-sklearn, python3-onnx):
    /usr/bin/python3 tests/Warden.Server.Tests/Fixtures/make_fixtures.py
"""
import csv
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (accuracy_score, confusion_matrix, f1_score, log_loss, mean_absolute_error,
                             mean_squared_error, precision_score, r2_score, recall_score, roc_auc_score)

HERE = os.path.dirname(os.path.abspath(__file__))
NUMERIC = ["Duration", "Amount", "InstallmentRatePercentage", "ResidenceDuration", "Age",
           "NumberExistingCredits", "NumberPeopleMaintenance"]

with open(os.path.join(HERE, "german_credit.csv"), newline="") as f:
    rows = list(csv.DictReader(f))
X = np.array([[float(r[c]) for c in NUMERIC] for r in rows], dtype=np.float64)
y = np.array([1 if r["Class"] == "Good" else 0 for r in rows])
train, hold = slice(0, 700), slice(700, 1000)
mean, std = X[train].mean(axis=0), X[train].std(axis=0)
model = LogisticRegression(max_iter=1000).fit((X[train] - mean) / std, y[train])
expected = model.predict_proba((X[hold] - mean) / std)[:, 1]

def logreg_onnx(fitted, name, path):
    """A logistic regression as an ONNX graph: standardise, MatMul + Add, Sigmoid."""
    graph = helper.make_graph(
        [
            helper.make_node("Sub", ["features", "mean"], ["centered"]),
            helper.make_node("Div", ["centered", "std"], ["scaled"]),
            helper.make_node("MatMul", ["scaled", "weights"], ["logit_raw"]),
            helper.make_node("Add", ["logit_raw", "bias"], ["logit"]),
            helper.make_node("Sigmoid", ["logit"], ["probability"]),
        ],
        name,
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", len(NUMERIC)])],
        [helper.make_tensor_value_info("probability", TensorProto.FLOAT, ["N", 1])],
        [
            numpy_helper.from_array(mean.astype(np.float32), "mean"),
            numpy_helper.from_array(std.astype(np.float32), "std"),
            numpy_helper.from_array(fitted.coef_.T.astype(np.float32), "weights"),
            numpy_helper.from_array(fitted.intercept_.astype(np.float32), "bias"),
        ],
    )
    built = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="warden-fixtures")
    built.ir_version = 8
    onnx.checker.check_model(built)
    onnx.save(built, os.path.join(HERE, path))


logreg_onnx(model, "german_credit_logreg", "german_credit_logreg.onnx")


rng = np.random.default_rng(20261126)
n = 400
y_true = rng.integers(0, 2, n)
y_score = np.clip(0.35 * y_true + rng.uniform(0, 0.65, n), 1e-6, 1 - 1e-6)
y_pred = (y_score >= 0.5).astype(int)
groups = rng.choice(["A", "B", "C"], n, p=[0.5, 0.3, 0.2])

def rates(mask):
    sel = y_pred[mask].mean()
    pos = mask & (y_true == 1)
    tpr = y_pred[pos].mean()
    return float(sel), float(tpr)

per_group = {g: rates(groups == g) for g in sorted(set(groups))}
selection = [v[0] for v in per_group.values()]
tprs = [v[1] for v in per_group.values()]
reg_true = rng.normal(10, 3, n)
reg_pred = reg_true + rng.normal(0, 1.5, n)

out = {
    "classification": {
        "y_true": y_true.tolist(), "y_score": y_score.tolist(), "threshold": 0.5,
        "accuracy": accuracy_score(y_true, y_pred), "precision": precision_score(y_true, y_pred),
        "recall": recall_score(y_true, y_pred), "f1": f1_score(y_true, y_pred),
        "roc_auc": roc_auc_score(y_true, y_score), "log_loss": log_loss(y_true, y_score),
        "confusion_matrix": confusion_matrix(y_true, y_pred).tolist(),
    },
    "fairness": {
        "groups": groups.tolist(),
        "selection_rate": {g: v[0] for g, v in per_group.items()},
        "true_positive_rate": {g: v[1] for g, v in per_group.items()},
        "demographic_parity_ratio": min(selection) / max(selection),
        "equal_opportunity_difference": max(tprs) - min(tprs),
    },
    "regression": {
        "y_true": reg_true.tolist(), "y_pred": reg_pred.tolist(),
        "mae": mean_absolute_error(reg_true, reg_pred),
        "rmse": float(np.sqrt(mean_squared_error(reg_true, reg_pred))),
        "r2": r2_score(reg_true, reg_pred),
    },
    "onnx_expected": {"rows": "700-999", "probability": expected.tolist()},
}
with open(os.path.join(HERE, "metrics.json"), "w") as f:
    json.dump(out, f, indent=1)
print("wrote german_credit_logreg.onnx and metrics.json")

# --- Open Inference Protocol fixtures -------------------------------------------------------------------------
# oip_spec_model.onnx has exactly the tensors of the specification's own infer example:
# input0 UINT32 [2,2], input1 BOOL [3] -> output0 FP32 [3,2] (the four numbers of input0, then the first two of input1).
spec = helper.make_graph(
    [
        helper.make_node("Cast", ["input0"], ["a"], to=TensorProto.FLOAT),
        helper.make_node("Reshape", ["a", "four"], ["a4"]),
        helper.make_node("Cast", ["input1"], ["b"], to=TensorProto.FLOAT),
        helper.make_node("Slice", ["b", "zero", "two"], ["b2"]),
        helper.make_node("Concat", ["a4", "b2"], ["c"], axis=0),
        helper.make_node("Reshape", ["c", "three_two"], ["output0"]),
    ],
    "oip_spec_example",
    [helper.make_tensor_value_info("input0", TensorProto.UINT32, [2, 2]),
     helper.make_tensor_value_info("input1", TensorProto.BOOL, [3])],
    [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [3, 2])],
    [numpy_helper.from_array(np.array([4], dtype=np.int64), "four"),
     numpy_helper.from_array(np.array([0], dtype=np.int64), "zero"),
     numpy_helper.from_array(np.array([2], dtype=np.int64), "two"),
     numpy_helper.from_array(np.array([3, 2], dtype=np.int64), "three_two")],
)
spec_model = helper.make_model(spec, opset_imports=[helper.make_opsetid("", 13)], producer_name="warden-fixtures")
spec_model.ir_version = 8
onnx.checker.check_model(spec_model)
onnx.save(spec_model, os.path.join(HERE, "oip_spec_model.onnx"))

# oip_datatypes.onnx echoes one input of every OIP datatype ONNX supports (Identity), to test each codec both ways.
types = [("BOOL", TensorProto.BOOL), ("UINT8", TensorProto.UINT8), ("UINT16", TensorProto.UINT16), ("UINT32", TensorProto.UINT32),
         ("UINT64", TensorProto.UINT64), ("INT8", TensorProto.INT8), ("INT16", TensorProto.INT16), ("INT32", TensorProto.INT32),
         ("INT64", TensorProto.INT64), ("FP16", TensorProto.FLOAT16), ("FP32", TensorProto.FLOAT), ("FP64", TensorProto.DOUBLE),
         ("BYTES", TensorProto.STRING)]
echo = helper.make_graph(
    [helper.make_node("Identity", [f"in_{n.lower()}"], [f"out_{n.lower()}"]) for n, _ in types],
    "oip_datatypes",
    [helper.make_tensor_value_info(f"in_{n.lower()}", t, ["N", 2]) for n, t in types],
    [helper.make_tensor_value_info(f"out_{n.lower()}", t, ["N", 2]) for n, t in types],
)
echo_model = helper.make_model(echo, opset_imports=[helper.make_opsetid("", 13)], producer_name="warden-fixtures")
echo_model.ir_version = 8
onnx.checker.check_model(echo_model)
onnx.save(echo_model, os.path.join(HERE, "oip_datatypes.onnx"))
print("wrote oip_spec_model.onnx and oip_datatypes.onnx")

# A second credit model (stronger regularisation) for hot-swap and canary tests: same signature, different bytes.
model2 = LogisticRegression(max_iter=1000, C=0.05).fit((X[train] - mean) / std, y[train])
logreg_onnx(model2, "german_credit_logreg_v2", "german_credit_logreg_v2.onnx")
print("wrote german_credit_logreg_v2.onnx")
