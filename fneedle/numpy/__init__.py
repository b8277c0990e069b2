"""fneedle.numpy: the NumPy API over fneedle.lax (placeholder being written)."""
from fneedle.numpy.elementwise_api import *  # noqa
from fneedle.numpy import array_methods as _am
_am._install()
