import mlflow
from mlflow import MlflowClient

mlflow.set_experiment("fraud-detector")
mlflow.set_experiment("Bad Name")
mlflow.set_experiment(experiment_name="Default")
client = MlflowClient()
client.create_experiment(name="FraudExperiments")
