#!/usr/bin/env bash
set -e
mlflow run . \
  --experiment-name "Nightly Run" \
  -P epochs=10
