import sys

open(sys.argv[2], "w").write("model")
