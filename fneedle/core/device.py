"""Devices: where an Array's buffer lives. The CPU is always present; backends add others."""


class Device:
    """A device, e.g. Device('cpu', 0). `platform` picks which kernels (lowerings) run."""

    __slots__ = ("platform", "id")

    def __init__(self, platform, id=0):
        self.platform = platform
        self.id = id

    def __eq__(self, other):
        return type(other) is Device and (self.platform, self.id) == (other.platform, other.id)

    def __hash__(self):
        return hash((self.platform, self.id))

    def __repr__(self):
        return f"{self.platform.upper() if self.platform == 'cpu' else self.platform}Device(id={self.id})"


cpu = Device("cpu", 0)

# platform -> list of devices; backends (CUDA) register theirs when they load.
_DEVICES = {"cpu": [cpu]}
_default = [cpu]


# platform -> function(device, host ndarray) -> device buffer
_PUT = {}


def register_devices(platform, devices, put):
    """Called by a backend module (e.g. CUDA) to make its devices known."""
    _DEVICES[platform] = list(devices)
    _PUT[platform] = put


def backend_put(device, host):
    return _PUT[device.platform](device, host)


def devices(backend=None):
    """The devices of `backend` ('cpu', 'cuda'), or of the default backend.

    Example: fneedle.devices() == [CPUDevice(id=0)].
    """
    if backend is None:
        return list(_DEVICES[_default[0].platform])
    if backend not in _DEVICES:
        raise RuntimeError(f"Backend {backend!r} is not available; available backends: "
                           f"{', '.join(sorted(_DEVICES))}.")
    return list(_DEVICES[backend])


def default_device():
    return _default[0]
