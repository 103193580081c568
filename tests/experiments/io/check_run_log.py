#!/usr/bin/env python3
"""Independent check that a RunLog file written by RunLogTest.H5pyReadsTheFile reads in h5py.

Usage: check_run_log.py RUN.h5   (exit status 0 when every expectation holds)
"""
import sys

import h5py
import numpy as np


def main(path):
    with h5py.File(path, "r") as f:
        assert f.attrs["eqnca_schema_version"] == 2, f.attrs["eqnca_schema_version"]
        config = f.attrs["config"]
        config = config.decode() if isinstance(config, bytes) else config
        assert 'group = "C4"' in config, config
        loss = f["train/loss"]
        assert loss.dtype == np.float64 and loss.maxshape == (None,), (loss.dtype, loss.maxshape)
        np.testing.assert_array_equal(loss[()], np.arange(100) * 0.5)
        unit = loss.attrs["unit"]
        assert (unit.decode() if isinstance(unit, bytes) else unit) == "mse", unit
        states, iterations = f["snapshots/states"], f["snapshots/iteration"]
        assert states.dtype == np.float32 and states.shape == (1, 2, 3, 4, 5), (states.dtype, states.shape)
        assert states.maxshape == (None, 2, 3, 4, 5), states.maxshape
        np.testing.assert_array_equal(iterations[()], [5.0])
        np.testing.assert_array_equal(states[0].ravel(), np.arange(120, dtype=np.float32))
    print(f"check_run_log: {path} OK")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
