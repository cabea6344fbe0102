// huey-bench: the benchmark driver (issue 7). Placeholder until the driver lands.
import Foundation
print("huey-bench: not yet implemented")
