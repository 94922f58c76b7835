import mlflow

result = mlflow.register_model("runs:/abc123/model", "churn-model")
