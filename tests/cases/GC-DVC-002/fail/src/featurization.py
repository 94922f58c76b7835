import os, sys

os.makedirs("data/features", exist_ok=True)
open("data/features/train.pkl", "w").write(open("data/prepared/train.tsv").read())
