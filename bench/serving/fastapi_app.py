#!/usr/bin/python3
"""Contender (d): FastAPI + uvicorn + scikit-learn serving the benchmark model.

POST /predict takes {"records":[{"f0":…,…,"f19":…}, …]} and answers
{"predictions":[{"prediction":bool,"probability":float}, …]} from LogisticRegression.predict_proba.
GET /health answers 200 once the model is loaded.

The model is a real scikit-learn LogisticRegression whose fitted state (coef_, intercept_, classes_) is set from
model.json, i.e. the coefficients make_model.py trained; predict_proba runs scikit-learn's own code.

Run (Debian packages python3-fastapi, python3-uvicorn, python3-sklearn; uvloop and httptools when installed):
    /usr/bin/python3 -m uvicorn fastapi_app:app --app-dir bench/serving --host 127.0.0.1 --port 5102 \
        --workers 2 --no-access-log --log-level warning
"""
import json
import os
from typing import Dict, List

import numpy as np
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel
from sklearn.linear_model import LogisticRegression

HERE = os.path.dirname(os.path.abspath(__file__))

with open(os.environ.get("SERVING_BENCH_MODEL_JSON", os.path.join(HERE, "model.json"))) as f:
    spec = json.load(f)

FEATURES: List[str] = spec["features"]
model = LogisticRegression()
model.classes_ = np.array([0, 1])
model.coef_ = np.array([spec["coefficients"]], dtype=np.float64)
model.intercept_ = np.array([spec["intercept"]], dtype=np.float64)
model.n_features_in_ = len(FEATURES)


class PredictRequest(BaseModel):
    records: List[Dict[str, float]]


class RecordPrediction(BaseModel):
    prediction: bool
    probability: float


class PredictResponse(BaseModel):
    predictions: List[RecordPrediction]


app = FastAPI(title="serving-bench")


@app.get("/health")
def health() -> Dict[str, str]:
    return {"status": "ok"}


# A plain `def` endpoint: FastAPI runs it in its thread pool, the usual way to serve a CPU-bound scikit-learn call.
@app.post("/predict", response_model=PredictResponse)
def predict(request: PredictRequest) -> PredictResponse:
    try:
        x = np.array([[record[name] for name in FEATURES] for record in request.records], dtype=np.float64)
    except KeyError as missing:
        raise HTTPException(status_code=400, detail=f"missing feature {missing}") from None
    if len(x) == 0:
        raise HTTPException(status_code=400, detail="records must not be empty")
    probabilities = model.predict_proba(x)[:, 1]
    return PredictResponse(predictions=[RecordPrediction(prediction=bool(p >= 0.5), probability=float(p))
                                        for p in probabilities])
