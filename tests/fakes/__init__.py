"""The outside world, faked as real local servers (HELPERS.md: never a mock of our own code)."""
