from pathlib import Path

Path("data/features").mkdir(parents=True, exist_ok=True)
Path("data/features/train.pkl").write_text(Path("data/prepared/train.tsv").read_text())
