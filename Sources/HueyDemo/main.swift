import Huey
print("huey-demo: coming soon")
