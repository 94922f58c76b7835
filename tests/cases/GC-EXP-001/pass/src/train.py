import os

import mlflow
from mlflow import MlflowClient

NAME = os.environ["EXPERIMENT"]  # known at run time only: cannot be checked, not reported

mlflow.set_experiment("fraud/detector-training")
mlflow.set_experiment(experiment_name="churn-predictor")
MlflowClient().create_experiment("ranker/v2-offline")
mlflow.set_experiment(NAME)
print("set_experiment('Not A Call')")
