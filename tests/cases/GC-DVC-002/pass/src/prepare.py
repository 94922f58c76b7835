import sys
from pathlib import Path

Path("data/prepared").mkdir(parents=True, exist_ok=True)
Path("data/prepared/train.tsv").write_text(Path(sys.argv[1]).read_text())
