#!/usr/bin/env python3
"""Follows a run log while its writer appends to it, as a researcher watching a loss curve does:
opens it with h5py in SWMR mode, reads a dataset, waits until it has grown, reads it again.

Usage: follow_run_log.py RUN.h5 MARKER [DATASET] [TIMEOUT_S]
Prints "followed DATASET: N0 -> N1 rows" and exits 0 once the dataset grew after the file was
opened; MARKER (a file) is created then, telling the writer it may stop. Exits 1 on time-out.
"""
import sys
import time

import h5py
import numpy as np


def main(path, marker, name="train/loss", timeout=60.0):
    deadline = time.monotonic() + float(timeout)
    while True:  # the writer may not have switched the file to SWMR yet
        try:
            f = h5py.File(path, "r", swmr=True)
            if name in f:
                break
            f.close()
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"follow_run_log: could not open {path} with swmr=True and '{name}' in it")
        time.sleep(0.05)
    with f:
        dataset = f[name]
        first = dataset.shape[0]
        np.asarray(dataset[:first])  # what is there reads while the writer goes on
        while True:
            dataset.refresh()
            rows = dataset.shape[0]
            if rows > first:
                values = np.asarray(dataset[:rows])
                assert values.shape[0] == rows, values.shape
                break
            if time.monotonic() > deadline:
                sys.exit(f"follow_run_log: '{name}' in {path} stayed at {first} rows")
            time.sleep(0.05)
    open(marker, "w").close()
    print(f"followed {name}: {first} -> {rows} rows")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
