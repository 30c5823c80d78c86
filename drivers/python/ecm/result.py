"""A result file of `ecm run` (docs/output-format.md) as numpy arrays with their axes.

Read with h5py only: opening a result needs neither MPI nor the analysis. Every name here is
the dataset's name in the file; units and the fit-status names are read from the file's own
attributes, so they cannot drift from what `ecm run` writes.
"""
import os
import re

import numpy as np

# The per-pixel outputs of the fit, (scan_y, scan_x, k_r, k_phi) each.
FIT_FIELDS = ("tau", "tau_err", "beta", "beta_err", "contrast", "contrast_err", "baseline", "chi2_red")
PIXEL_FIELDS = FIT_FIELDS + ("fit_status", "mean_intensity")
# Fields every complete result holds; the others are read when present.
REQUIRED_FIELDS = ("tau", "tau_err", "beta", "beta_err", "contrast", "contrast_err", "fit_status")
DIMS = ("scan_y", "scan_x", "k_r", "k_phi")


def _text(value):
    """An HDF5 string attribute (bytes or str) as str; other values unchanged."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray) and value.shape == ():
        return value.item()
    return value


def _split_units(text):
    """'1/angstrom (bin centre)' -> ('1/angstrom', 'bin centre'): the file writes a unit, then
    what the value is in parentheses."""
    text = _text(text)
    match = re.fullmatch(r"(.*?) \((.*)\)", text, flags=re.S)
    return (match.group(1), match.group(2)) if match else (text, "")


def status_names_from_meaning(meaning):
    """The fit_status legend '0 converged, 1 max_iterations, ...' as {0: 'converged', ...}."""
    return {int(code): name for code, name in re.findall(r"(?:^|, )(\d+) ([A-Za-z_]+)", _text(meaning))}


class Result:
    """τ(r, k) of one `ecm run`: the fit fields as numpy arrays over (scan_y, scan_x, k_r,
    k_phi), their axes, units and the run's provenance.

    Attributes: path; tau, tau_err [s], beta, beta_err, contrast, contrast_err, baseline,
    chi2_red, mean_intensity (float32; NaN where the fit is not valid; baseline, chi2_red and
    mean_intensity None if the file lacks them); fit_status (uint8) with status_names
    {code: name}; k_r [1/Å] and k_phi [rad] (bin centres), scan_y and scan_x (position index,
    or nm when the input recorded scan_step_nm: see units); lags [s] (the fitted lag bins) and
    g2 (scan_y, scan_x, k_r, k_phi, lag) when the run saved it (save_g2=True), else None;
    units {name: unit}; descriptions {name: the file's words}; attrs (root attributes:
    provenance, calibration); report (ecm.run's summary, None for open_result).
    """

    def __init__(self, path, keep_alive=None):
        import h5py

        self.path = os.fspath(path)
        self._keep_alive = keep_alive  # a temporary folder holding the file, removed with this object
        self.report = None
        self.units, self.descriptions = {}, {}
        if not os.path.exists(self.path):
            raise FileNotFoundError(f"{self.path}: no such file")
        try:
            f = h5py.File(self.path, "r")
        except OSError as e:
            raise OSError(f"{self.path}: not an HDF5 file h5py can open ({e})") from e
        with f:
            missing = [name for name in REQUIRED_FIELDS + ("axes/k_r", "axes/k_phi") if name not in f]
            if missing:
                raise ValueError(f"{self.path}: not an ecm result (no {', '.join('/' + m for m in missing)}; "
                                 "see docs/output-format.md)")
            self.attrs = {key: _text(value) for key, value in f.attrs.items()}
            for name in PIXEL_FIELDS:
                setattr(self, name, self._read(f, name) if name in f else None)
            self.status_names = status_names_from_meaning(f["fit_status"].attrs.get("meaning", b""))
            self.k_r = self._read(f, "axes/k_r", "k_r")
            self.k_phi = self._read(f, "axes/k_phi", "k_phi")
            self.lags = self._read(f, "axes/lag_s", "lags") if "axes/lag_s" in f else None
            self.bin_area_px = self._read(f, "axes/bin_area_px", "bin_area_px") if "axes/bin_area_px" in f else None
            self.g2 = self._read(f, "g2") if "g2" in f else None
        ny, nx, n_kr, n_kphi = self.tau.shape
        if (n_kr, n_kphi) != (self.k_r.size, self.k_phi.size):
            raise ValueError(f"{self.path}: /tau is {self.tau.shape} but the axes hold {self.k_r.size} k_r "
                             f"and {self.k_phi.size} k_phi bins")
        step = self.attrs.get("scan_step_nm")
        if step is not None and np.isfinite(step) and step > 0:
            self.scan_y, self.scan_x = np.arange(ny) * float(step), np.arange(nx) * float(step)
            scan_unit, scan_words = "nm", "scan position (scan_step_nm of the input)"
        else:
            self.scan_y, self.scan_x = np.arange(ny, dtype=np.float64), np.arange(nx, dtype=np.float64)
            scan_unit, scan_words = "px", "scan position index (the input recorded no scan_step_nm)"
        for axis in ("scan_y", "scan_x"):
            self.units[axis], self.descriptions[axis] = scan_unit, scan_words

    def _read(self, f, path, name=None):
        dataset = f[path]
        name = name or path
        if "units" in dataset.attrs:
            self.units[name], self.descriptions[name] = _split_units(dataset.attrs["units"])
        elif "meaning" in dataset.attrs:
            self.descriptions[name] = _text(dataset.attrs["meaning"])
        return dataset[()]

    @property
    def shape(self):
        """(scan_y, scan_x, k_r, k_phi)."""
        return self.tau.shape

    def status_counts(self):
        """{status name: pixels with it}, statuses that occur only."""
        codes, counts = np.unique(self.fit_status, return_counts=True)
        return {self.status_names.get(int(c), str(int(c))): int(n) for c, n in zip(codes, counts)}

    def __repr__(self):
        valid = int(np.count_nonzero(self.fit_status == 0))
        return (f"<ecm.Result {self.path!r}: scan {self.shape[0]}x{self.shape[1]}, {self.shape[2]} k_r x "
                f"{self.shape[3]} k_phi, {valid} of {self.fit_status.size} fits converged>")

    def to_xarray(self):
        """An xarray.Dataset with dims (scan_y, scan_x, k_r, k_phi) (+ lag for g2), every field
        a data variable and every axis a coordinate, each with its `units` attribute."""
        from .convert import result_to_xarray
        return result_to_xarray(self)

    def to_hyperspy(self, field="tau"):
        """A HyperSpy Signal2D of one field (default τ): navigation (scan_x, scan_y), signal
        (k_phi, k_r), all axes calibrated. Needs HyperSpy (pip install hyperspy)."""
        from .convert import result_to_hyperspy
        return result_to_hyperspy(self, field)


def open_result(path):
    """Reads an `ecm run` output file (docs/output-format.md) into a Result."""
    return Result(path)
