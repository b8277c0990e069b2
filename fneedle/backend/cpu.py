"""Placeholder (lead): replaced by the real CPU backend module."""
available = False
UNARY_OPS = BINARY_OPS = REDUCE_OPS = SCAN_OPS = frozenset()
