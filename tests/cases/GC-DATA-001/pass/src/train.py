"""Fine-tune on pinned data and models."""

import wandb
from datasets import load_dataset
from pyspark.sql import SparkSession
from transformers import AutoModel

REVISION = "8f1c2d3e4b5a69788796a5b4c3d2e1f001122334"

spark = SparkSession.builder.getOrCreate()
run = wandb.init(project="fraud")
reviews = load_dataset("acme/reviews", revision=REVISION)
labels = run.use_artifact("acme/fraud/labels:v3")
model = AutoModel.from_pretrained("acme/bert-small", revision=REVISION)
events = spark.read.format("delta").option("versionAsOf", 12).load("dbfs:/mnt/fraud/events")
with open("configs/train.yaml") as handle:
    handle.read()
