#!/usr/bin/env python3
"""Whether two `ecm run` outputs hold the same results, bit for bit.

    same_results.py REFERENCE.h5 OTHER.h5 [--ignore-attribute NAME]... [--ignore-values PATH]...

Every group and dataset of either file must be in the other with the same type, shape and
bytes (NaN equals NaN: the bytes are compared, not the values), and every attribute the
same, except the root attributes named with --ignore-attribute and the values of the
datasets named with --ignore-values (the provenance of one run, such as its times: their
presence, type and shape are still compared). Prints each difference; exits 1 if there is
one, 0 if none.
"""
import argparse
import sys

import h5py
import numpy as np


def as_bytes(value):
    """An attribute or dataset value as comparable bytes (strings as they are)."""
    if isinstance(value, (bytes, str)):
        return value.encode() if isinstance(value, str) else value
    array = np.asarray(value)
    if array.dtype.kind == "O":  # variable-length strings
        return repr(array.tolist()).encode()
    return array.dtype.str.encode() + repr(array.shape).encode() + array.tobytes()


def objects(f):
    """Every group and dataset of the file by name, with its kind."""
    found = {"/": "group"}
    f.visititems(lambda name, obj: found.__setitem__(
        "/" + name, "dataset" if isinstance(obj, h5py.Dataset) else "group"))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("reference")
    parser.add_argument("other")
    parser.add_argument("--ignore-attribute", action="append", default=[])
    parser.add_argument("--ignore-values", action="append", default=[])
    args = parser.parse_args()
    differences = []
    with h5py.File(args.reference, "r") as a, h5py.File(args.other, "r") as b:
        in_a, in_b = objects(a), objects(b)
        for name in sorted(set(in_a) ^ set(in_b)):
            differences.append(f"{name}: only in {args.reference if name in in_a else args.other}")
        for name in sorted(set(in_a) & set(in_b)):
            x, y = a[name], b[name]
            if in_a[name] != in_b[name]:
                differences.append(f"{name}: a {in_a[name]} in one file, a {in_b[name]} in the other")
                continue
            if in_a[name] == "dataset":
                if x.dtype != y.dtype or x.shape != y.shape:
                    differences.append(f"{name}: {x.dtype} {x.shape} against {y.dtype} {y.shape}")
                elif name not in args.ignore_values and as_bytes(x[()]) != as_bytes(y[()]):
                    differences.append(f"{name}: the values differ")
            ignored = set(args.ignore_attribute) if name == "/" else set()
            for key in sorted((set(x.attrs) | set(y.attrs)) - ignored):
                if key not in x.attrs or key not in y.attrs:
                    differences.append(f"{name} attribute {key}: in one file only")
                elif as_bytes(x.attrs[key]) != as_bytes(y.attrs[key]):
                    differences.append(f"{name} attribute {key}: {x.attrs[key]!r} against {y.attrs[key]!r}")
    for d in differences:
        print(d)
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
