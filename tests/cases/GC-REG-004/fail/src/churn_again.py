import mlflow

mlflow.register_model(model_uri="runs:/def456/model", name="churn-model")
