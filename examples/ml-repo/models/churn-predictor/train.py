"""Weekly churn model training."""

import mlflow

mlflow.set_experiment("retention/churn-predictor")
