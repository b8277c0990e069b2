"""The interpreters over primitives: staging, jvp, linearize, transpose/grad, vmap, jit."""
