"""govcheck: policy-as-code checks for ML governance over a git repository and MLflow."""

__version__ = "0.1.0"
