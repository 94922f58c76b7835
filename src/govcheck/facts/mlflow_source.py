"""MLflow fact providers (placeholder until the MLflow provider module lands)."""
