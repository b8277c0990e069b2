"""fneedle.numpy's public API as a whole: every public function has an op-table row
(tests/ops/rows_numpy.py), and DLPack interop."""


import numpy as np

import fneedle.numpy as fnp

# ---------------------------------------------------------------------------------------
# The op table (tests/ops/rows_numpy.py) has a row for every public function.

_NOT_ARRAY_FUNCTIONS = {"can_cast", "finfo", "iinfo", "isdtype", "isscalar", "issubdtype",
                        "ndim", "promote_types", "result_type", "shape", "size", "dtype",
                        "iscomplexobj", "from_dlpack"}  # from_dlpack: interop, tested below


def test_dlpack_round_trip_copies():
    src = np.arange(4.0, dtype=np.float32)
    a = fnp.from_dlpack(src)
    src[0] = 9.0  # the producer's later writes do not reach the immutable Array
    np.testing.assert_array_equal(np.asarray(a), [0.0, 1.0, 2.0, 3.0])
    assert a.dtype == np.float32
    np.testing.assert_array_equal(np.from_dlpack(a), [0.0, 1.0, 2.0, 3.0])


def test_every_function_has_an_op_table_row():
    from tests.ops import rows_numpy
    names = {r.name for r in rows_numpy.ROWS}

    def covered(prefix):
        return any(n == prefix or n.startswith(prefix + "_") for n in names)

    public = [n for n in dir(fnp) if not n.startswith("_") and callable(getattr(fnp, n))
              and not isinstance(getattr(fnp, n), type) and n not in _NOT_ARRAY_FUNCTIONS]
    missing = [n for n in public if not covered(f"fnp_{n}")]
    missing += [f"linalg.{n}" for n in fnp.linalg.__all__
                if not covered(f"fnp_linalg_{n}") and not covered(f"fnp_{n}")]
    assert not missing, f"No op-table row in tests/ops/rows_numpy.py for: {missing}"
