"""The slicing family's public face: static slices and rev (static_slicing), dynamic slices
(dynamic_slicing), pad (padding) and concatenate (concatenation), with JAX's `*_in_dim`
conveniences built on them.
"""
# ruff: noqa: F401  (re-exports)

from fneedle.lax.ad_rules import linear_jvp
from fneedle.lax.concatenation import concatenate, concatenate_p
from fneedle.lax.dynamic_slicing import (
    dynamic_index_in_dim,
    dynamic_slice,
    dynamic_slice_in_dim,
    dynamic_slice_p,
    dynamic_update_index_in_dim,
    dynamic_update_slice,
    dynamic_update_slice_in_dim,
    dynamic_update_slice_p,
)
from fneedle.lax.padding import pad, pad_p
from fneedle.lax.static_slicing import index_in_dim, rev, rev_p, slice, slice_in_dim, slice_p
from fneedle.lax.wrapper_checks import checked_bind
