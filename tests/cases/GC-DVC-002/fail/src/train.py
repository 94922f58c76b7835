import sys
from pathlib import Path

Path(sys.argv[2]).write_text("model")
