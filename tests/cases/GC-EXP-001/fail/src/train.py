import mlflow
from mlflow import MlflowClient

mlflow.set_experiment("fraud-detector")
mlflow.set_experiment("Bad Name")
mlflow.set_experiment(experiment_name="Default")
client = MlflowClient()
client.create_experiment(name="FraudExperiments")
NAME = "Built At Import"  # a module constant: set_experiment(NAME) uses exactly this
mlflow.set_experiment(NAME)
