"""Aggregate transactions into per-card features (run by `dvc repro featurize`)."""

from pathlib import Path

import pandas as pd
import yaml

params = yaml.safe_load(Path("params.yaml").read_text())["featurize"]
transactions = pd.read_csv("data/transactions.csv", parse_dates=["ts"])
window = f"{params['window_days']}D"
features = transactions.set_index("ts").groupby("card_id")["amount"].rolling(window).sum()
features.to_frame().to_parquet("data/features.parquet")
