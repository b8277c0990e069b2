"""A cache of jaxprs derived from a jaxpr (its jvp, batched, partially evaluated or transposed
form), kept per jaxpr object and dropped with it. Transforming the same jaxpr again (a jitted
training step, grad of grad) then reuses the derived jaxprs and their compiled executables."""

import weakref


class DerivedCache:
    """One table per jaxpr object, weakly keyed so a table lives only as long as its jaxpr."""

    def __init__(self):
        self._tables = weakref.WeakKeyDictionary()

    def get(self, closed, key, make):
        """The value cached for (closed, key), made by `make()` on the first request."""
        table = self._tables.get(closed)
        if table is None:
            table = self._tables[closed] = {}
        if key not in table:
            table[key] = make()
        return table[key]
