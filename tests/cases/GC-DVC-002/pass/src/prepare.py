import os, sys

os.makedirs("data/prepared", exist_ok=True)
open("data/prepared/train.tsv", "w").write(open(sys.argv[1]).read())
