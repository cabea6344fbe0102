@_exported import Huey
