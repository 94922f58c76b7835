import mlflow


def train(model):
    with mlflow.start_run():
        mlflow.sklearn.log_model(model, name="model", registered_model_name="fraud-detector")
