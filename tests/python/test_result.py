"""ecm.open_result, Result.to_xarray and Result.to_hyperspy against the file `ecm run` wrote."""
import sys

import h5py
import numpy as np
import pytest

import ecm
from ecm.result import FIT_FIELDS, PIXEL_FIELDS
from conftest import same_bits


@pytest.fixture(scope="module", params=["simulated", "handmade"])
def acquisition(request):
    return request.getfixturevalue(request.param)


def test_fields_and_axes_are_the_file_s(acquisition):
    r = ecm.open_result(acquisition.cli_output)
    with h5py.File(acquisition.cli_output, "r") as f:
        for name in PIXEL_FIELDS:
            assert same_bits(getattr(r, name), f[name][()]), name
        assert same_bits(r.k_r, f["axes/k_r"][()])
        assert same_bits(r.k_phi, f["axes/k_phi"][()])
        assert same_bits(r.lags, f["axes/lag_s"][()])
        assert (r.g2 is None) == ("g2" not in f)
        if r.g2 is not None:
            assert same_bits(r.g2, f["g2"][()])
        assert r.attrs["run_fingerprint"] == f.attrs["run_fingerprint"].decode()
    ny, nx = r.shape[:2]
    assert r.tau.dtype == np.float32 and r.fit_status.dtype == np.uint8
    assert r.units["tau"] == "s" and r.units["k_r"] == "1/angstrom" and r.units["k_phi"] == "rad"
    # Only status 0 carries finite fit values (docs/output-format.md).
    for name in FIT_FIELDS:
        assert np.array_equal(np.isfinite(getattr(r, name)), r.fit_status == 0), name
    assert r.status_names[0] == "converged" and r.status_names[7] == "out_of_field"
    assert sum(r.status_counts().values()) == r.fit_status.size
    if "scan_step_nm" in r.attrs:
        assert r.units["scan_y"] == "nm" and np.allclose(np.diff(r.scan_x), r.attrs["scan_step_nm"])
    else:
        assert r.units["scan_y"] == "px" and np.array_equal(r.scan_y, np.arange(ny))
    assert r.scan_x.size == nx


def test_g2_only_when_saved(simulated, handmade):
    assert ecm.open_result(simulated.cli_output).g2.shape[:4] == ecm.open_result(simulated.cli_output).shape
    assert ecm.open_result(handmade.cli_output).g2 is None


def test_to_xarray(acquisition):
    r = ecm.open_result(acquisition.cli_output)
    ds = r.to_xarray()
    assert ds["tau"].dims == ("scan_y", "scan_x", "k_r", "k_phi")
    assert dict(ds.sizes) == {"scan_y": r.shape[0], "scan_x": r.shape[1], "k_r": r.shape[2], "k_phi": r.shape[3],
                              "lag": r.lags.size}
    with h5py.File(acquisition.cli_output, "r") as f:
        assert same_bits(ds["k_r"].values, f["axes/k_r"][()])
        assert same_bits(ds["k_phi"].values, f["axes/k_phi"][()])
        assert same_bits(ds["lag"].values, f["axes/lag_s"][()])
        assert same_bits(ds["tau"].values, f["tau"][()])
        assert same_bits(ds["fit_status"].values, f["fit_status"][()])
    assert ds["k_r"].attrs["units"] == "1/angstrom" and ds["k_phi"].attrs["units"] == "rad"
    assert ds["lag"].attrs["units"] == "s" and ds["tau"].attrs["units"] == "s" and ds["beta"].attrs["units"] == "1"
    assert ds["scan_y"].attrs["units"] == r.units["scan_y"]
    assert ds["fit_status"].attrs["flag_meanings"].split()[:3] == ["converged", "max_iterations", "no_decay"]
    assert ("g2" in ds) == (r.g2 is not None)
    assert ds.attrs["time_step_s"] == r.attrs["time_step_s"]
    # Selection by physical coordinates works.
    assert ds["tau"].sel(k_r=r.k_r[-1]).shape == (r.shape[0], r.shape[1], r.shape[3])


def test_to_hyperspy_without_hyperspy_names_the_package(simulated, monkeypatch):
    monkeypatch.setitem(sys.modules, "hyperspy", None)  # import hyperspy now raises ImportError
    monkeypatch.setitem(sys.modules, "hyperspy.signals", None)
    with pytest.raises(ImportError, match="'hyperspy'"):
        ecm.open_result(simulated.cli_output).to_hyperspy()


def test_to_hyperspy(simulated):
    pytest.importorskip("hyperspy", reason="HyperSpy is not a Debian package; CI does not install it")
    r = ecm.open_result(simulated.cli_output)
    s = r.to_hyperspy()
    assert np.array_equal(s.data, r.tau, equal_nan=True)
    assert s.axes_manager.navigation_dimension == 2 and s.axes_manager.signal_dimension == 2
    k_phi, k_r = s.axes_manager.signal_axes
    assert (k_r.name, k_r.units, k_phi.name, k_phi.units) == ("k_r", "1/angstrom", "k_phi", "rad")
    assert np.allclose(k_r.axis, r.k_r) and np.allclose(k_phi.axis, r.k_phi)
    scan_x, scan_y = s.axes_manager.navigation_axes
    assert (scan_x.name, scan_y.name) == ("scan_x", "scan_y") and np.allclose(scan_y.axis, r.scan_y)
    beta = r.to_hyperspy("beta")
    assert np.array_equal(beta.data, r.beta, equal_nan=True)
    with pytest.raises(ValueError, match="no field"):
        r.to_hyperspy("nonsense")


def test_open_result_refuses_what_is_not_a_result(simulated, tmp_path):
    with pytest.raises(FileNotFoundError):
        ecm.open_result(tmp_path / "missing.h5")
    with pytest.raises(ValueError, match="not an ecm result"):
        ecm.open_result(simulated.input)  # an acquisition, not a result
    (tmp_path / "text.h5").write_text("not HDF5")
    with pytest.raises(OSError, match="not an HDF5 file"):
        ecm.open_result(tmp_path / "text.h5")
