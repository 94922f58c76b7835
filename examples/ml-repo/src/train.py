"""Train a model from a config file and log it to MLflow."""

import argparse

import mlflow
import yaml


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("config")
    args = parser.parse_args()
    with open(args.config) as f:
        config = yaml.safe_load(f)

    mlflow.set_experiment("fraud/detector-training")
    with mlflow.start_run():
        mlflow.log_params(config.get("params", {}))


def smoke_test() -> None:
    # Quick local check; runs land in MLflow's catch-all experiment.
    mlflow.set_experiment("Default")
    with mlflow.start_run():
        mlflow.log_metric("ok", 1.0)


if __name__ == "__main__":
    main()
