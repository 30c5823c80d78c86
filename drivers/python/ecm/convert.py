"""A Result as an xarray.Dataset or a HyperSpy signal. Both packages are imported only here,
when asked for: xarray is a Debian package (python3-xarray), HyperSpy is not."""
import numpy as np

from .result import DIMS, PIXEL_FIELDS


def _attrs(result, name):
    attrs = {}
    if name in result.units:
        attrs["units"] = result.units[name]
    if result.descriptions.get(name):
        attrs["description"] = result.descriptions[name]
    return attrs


def result_to_xarray(result):
    import xarray as xr

    coords = {axis: (axis, getattr(result, axis), _attrs(result, axis)) for axis in DIMS}
    data = {}
    for name in PIXEL_FIELDS:
        values = getattr(result, name)
        if values is not None:
            data[name] = (DIMS, values, _attrs(result, name))
    codes = sorted(result.status_names)
    # CF conventions for a flag variable, so tools can name the statuses.
    data["fit_status"][2].update(flag_values=np.array(codes, dtype=np.uint8),
                                 flag_meanings=" ".join(result.status_names[c] for c in codes))
    if result.lags is not None:
        coords["lag"] = ("lag", result.lags, _attrs(result, "lags"))
    if result.g2 is not None:
        data["g2"] = (DIMS + ("lag",), result.g2, {"units": "1", "description": "g2 at the fitted lags"})
    attrs = {key: value for key, value in result.attrs.items() if np.ndim(value) == 0}
    attrs["source_file"] = result.path
    return xr.Dataset(data, coords=coords, attrs=attrs)


def _axis(values, name, units, navigate):
    axis = {"name": name, "units": units, "navigate": navigate, "size": int(values.size)}
    steps = np.diff(values)
    if values.size > 1 and np.allclose(steps, steps[0], rtol=1e-9, atol=0):
        axis.update(offset=float(values[0]), scale=float(steps[0]))
    elif values.size == 1:
        axis.update(offset=float(values[0]), scale=1.0)
    else:  # not evenly spaced: HyperSpy's non-uniform axis
        axis = {"name": name, "units": units, "navigate": navigate, "axis": np.asarray(values, dtype=float)}
    return axis


def result_to_hyperspy(result, field="tau"):
    try:
        from hyperspy.signals import Signal2D
    except ImportError as e:
        raise ImportError("Result.to_hyperspy() needs the package 'hyperspy', which is not installed "
                          "(pip install hyperspy; it is not a Debian package). "
                          "Result.to_xarray() and the numpy arrays need no extra package.") from e
    values = getattr(result, field, None)
    if field not in PIXEL_FIELDS or values is None:
        present = [name for name in PIXEL_FIELDS if getattr(result, name) is not None]
        raise ValueError(f"to_hyperspy: no field '{field}' in {result.path}; one of {', '.join(present)}")
    # numpy order (scan_y, scan_x, k_r, k_phi): HyperSpy's navigation is the first two, its
    # signal the last two (x = k_phi, y = k_r).
    axes = [_axis(result.scan_y, "scan_y", result.units["scan_y"], True),
            _axis(result.scan_x, "scan_x", result.units["scan_x"], True),
            _axis(result.k_r, "k_r", result.units.get("k_r", "1/angstrom"), False),
            _axis(result.k_phi, "k_phi", result.units.get("k_phi", "rad"), False)]
    signal = Signal2D(values, axes=axes)
    signal.metadata.General.title = field
    signal.metadata.General.original_filename = result.path
    unit = result.units.get(field)
    signal.metadata.set_item("Signal.quantity", f"{field} ({unit})" if unit else field)
    signal.original_metadata.add_dictionary({"attributes": {k: v for k, v in result.attrs.items()
                                                            if np.ndim(v) == 0}})
    return signal
