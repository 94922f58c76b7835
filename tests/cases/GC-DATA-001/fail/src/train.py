"""Fine-tune on the reviews dataset."""

import wandb
from datasets import load_dataset

run = wandb.init(project="fraud")
reviews = load_dataset("acme/reviews")
labels = run.use_artifact("acme/fraud/labels:latest")
