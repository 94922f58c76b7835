#!/usr/bin/env bash
mlflow run . --experiment-name fraud/nightly -P epochs=10
mlflow run . --experiment-name "$EXPERIMENT"   # known at run time only
