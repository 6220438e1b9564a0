"""The benchmark's floor: the cheapest authenticated DRF write the stack can do, in the same server."""
