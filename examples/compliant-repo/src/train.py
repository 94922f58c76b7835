"""Fine-tune the sentiment classifier."""

import mlflow


def main() -> None:
    mlflow.set_experiment("support/sentiment-classifier")
    with mlflow.start_run():
        mlflow.log_param("epochs", 3)


if __name__ == "__main__":
    main()
