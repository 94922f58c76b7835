print("train delta")
