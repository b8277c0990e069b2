"""Global switches: `fneedle.config.update(name, value)`, or env vars FNEEDLE_<NAME>."""

import contextlib
import os


def _env_flag(name, default=False):
    value = os.environ.get("FNEEDLE_" + name.upper())
    if value is None:
        return default
    return value.strip().lower() not in ("", "0", "false", "no", "off")


class Config:
    """Holds fneedle's switches. Unknown names are errors, so typos do not pass silently."""

    _DOCS = {
        "numpy_impl": "run every primitive through its NumPy reference impl (parity tests)",
        "disable_jit": "run jit-decorated functions eagerly, op by op (debugging)",
        "explain_cache_misses": "log why each jit cache miss happened",
        "debug_nans": "re-run a jitted function op by op when it produces a NaN",
        "log_compiles": "log every jit compilation",
    }

    def __init__(self):
        for name in self._DOCS:
            object.__setattr__(self, name, _env_flag(name))

    def update(self, name, value):
        """Sets a switch. Example: fneedle.config.update('numpy_impl', True)."""
        if name not in self._DOCS:
            known = ", ".join(sorted(self._DOCS))
            raise AttributeError(f"fneedle.config has no option {name!r}; known options: {known}.")
        object.__setattr__(self, name, value)

    @contextlib.contextmanager
    def override(self, **values):
        """Sets switches for the duration of a `with` block."""
        old = {k: getattr(self, k) for k in values}
        for k, v in values.items():
            self.update(k, v)
        try:
            yield
        finally:
            for k, v in old.items():
                self.update(k, v)

    def __setattr__(self, name, value):
        self.update(name, value)

    def __repr__(self):
        return "Config(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in self._DOCS) + ")"


config = Config()
