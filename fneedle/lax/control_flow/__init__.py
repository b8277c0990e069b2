"""Structured control flow (DESIGN.md 2.8): primitives carrying jaxprs, with every
transformation rule: `cond`/`switch`, `while_loop`/`fori_loop`, `scan`/`map`, and
`associative_scan` (built from slicing ops)."""

from fneedle.lax.control_flow.associative_scan import associative_scan  # noqa: F401
from fneedle.lax.control_flow.cond import cond, cond_p, switch  # noqa: F401
from fneedle.lax.control_flow.scan import map, scan, scan_p  # noqa: F401
from fneedle.lax.control_flow.while_loop import fori_loop, while_loop, while_p  # noqa: F401
