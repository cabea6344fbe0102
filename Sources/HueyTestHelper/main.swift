import Huey
print("helper")
