"""fneedle.random: explicit, counter-based random numbers (Threefry-2x32), as in jax.random.

Keys are uint32 arrays of shape (2,); functions never change them, so pass a fresh key (from
`split` or `fold_in`) to every call. The same key gives the same numbers as jax.random.

    key = fneedle.random.key(0)
    key, sub = fneedle.random.split(key)
    x = fneedle.random.normal(sub, (3, 4))
"""

from fneedle.random.distributions import (
                                          bernoulli,
                                          bits,
                                          cauchy,
                                          exponential,
                                          gumbel,
                                          laplace,
                                          logistic,
                                          multivariate_normal,
                                          normal,
                                          randint,
                                          truncated_normal,
                                          uniform,
)
from fneedle.random.gamma import beta, dirichlet, gamma, loggamma
from fneedle.random.keys import PRNGKey, fold_in, key, key_data, split, wrap_key_data
from fneedle.random.sorting import categorical, choice, permutation
from fneedle.random.threefry import threefry2x32, threefry2x32_p

__all__ = [
    "PRNGKey", "bernoulli", "beta", "bits", "categorical", "cauchy", "choice", "dirichlet",
    "exponential", "fold_in", "gamma", "gumbel", "key", "key_data", "laplace", "loggamma",
    "logistic", "multivariate_normal", "normal", "permutation", "randint", "split",
    "threefry2x32", "threefry2x32_p", "truncated_normal", "uniform", "wrap_key_data",
]
