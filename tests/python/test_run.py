"""ecm.run in this process (no mpiexec: an MPI world of size 1) against `ecm run` on 2 ranks:
the same options must give the same bits, from a path and from the frames as a numpy array."""
import gc
import os

import h5py
import numpy as np
import pytest

import ecm
from ecm.result import PIXEL_FIELDS
from conftest import same_bits


def assert_same_as_cli(result, cli_output):
    """Every field, g2 and axis of the Result equals the CLI output file's, bit for bit."""
    with h5py.File(cli_output, "r") as f:
        for name in PIXEL_FIELDS:
            assert same_bits(getattr(result, name), f[name][()]), f"/{name} differs from the CLI's"
        for name, path in (("k_r", "axes/k_r"), ("k_phi", "axes/k_phi"), ("lags", "axes/lag_s")):
            assert same_bits(getattr(result, name), f[path][()]), f"/{path} differs from the CLI's"
        assert ("g2" in f) == (result.g2 is not None)
        if result.g2 is not None:
            assert same_bits(result.g2, f["g2"][()]), "/g2 differs from the CLI's"
        assert result.attrs["time_step_s"] == f.attrs["time_step_s"]


@pytest.fixture(scope="module", params=["simulated", "handmade"])
def acquisition(request):
    return request.getfixturevalue(request.param)


def test_run_on_a_path(acquisition, tmp_path):
    out = tmp_path / "python.h5"
    result = ecm.run(acquisition.input, out, **acquisition.kwargs)
    assert result.path == str(out) and out.exists()
    assert_same_as_cli(result, acquisition.cli_output)
    assert result.report["n_pixels"] == result.tau.size
    assert result.report["n_converged"] == np.count_nonzero(result.fit_status == 0)


def test_run_on_an_array(acquisition):
    frames, calibration = acquisition.frames_and_calibration()
    result = ecm.run(frames, **calibration, **acquisition.kwargs)
    assert_same_as_cli(result, acquisition.cli_output)


def test_array_in_another_dtype_and_layout(simulated):
    """A strided view is copied to C order; uint8 frames as float32 count the same."""
    frames, calibration = simulated.frames_and_calibration()
    as_float = np.asfortranarray(frames.astype(np.float32))
    assert not as_float.flags.c_contiguous
    result = ecm.run(as_float, **calibration, **simulated.kwargs)
    assert_same_as_cli(result, simulated.cli_output)


def test_python_values_as_options(simulated, tmp_path):
    """Numbers, tuples and bools are given as their CLI text: kr_range=(0.3, 0.55) is '0.3,0.55'.
    For a file the calibration keywords are the CLI's overrides (here equal to its attributes)."""
    _, calibration = simulated.frames_and_calibration()
    kwargs = dict(simulated.kwargs, kr_range=(0.3, 0.55), n_kr=2, n_kphi=8, save_g2=True)
    result = ecm.run(simulated.input, tmp_path / "typed.h5", **kwargs, **calibration)
    assert_same_as_cli(result, simulated.cli_output)
    configuration = result.attrs["configuration"]
    assert "time-step = 0.125" in configuration and "beam-center = 15.5,15.5" in configuration, configuration


def test_temporary_output_goes_with_the_result(simulated):
    result = ecm.run(simulated.input, **simulated.kwargs)
    path = result.path
    assert os.path.exists(path)
    del result
    gc.collect()
    assert not os.path.exists(path) and not os.path.exists(os.path.dirname(path))


def test_option_errors_carry_the_library_s_message(simulated, tmp_path):
    out = tmp_path / "never.h5"
    with pytest.raises(ecm.InputError, match="no-such-option"):
        ecm.run(simulated.input, out, no_such_option=3)
    with pytest.raises(ecm.InputError, match="n-lags"):
        ecm.run(simulated.input, out, n_lags="many")
    with pytest.raises(ValueError, match="normali[sz]ation"):  # ecm.InputError is a ValueError too
        ecm.run(simulated.input, out, normalization="weird")
    with pytest.raises(ecm.InputError, match="does not fit on the 32x32 detector"):
        ecm.run(simulated.input, out, kr_range=(0.3, 0.9))
    with pytest.raises(TypeError, match="input and output"):
        ecm.run(simulated.input, out, input="x.h5")
    assert not out.exists()


def test_a_bad_input_raises(simulated, tmp_path):
    out = tmp_path / "never.h5"
    with pytest.raises(ecm.Error, match="no such file"):
        ecm.run(tmp_path / "does_not_exist.h5", out)
    with pytest.raises(ecm.InputError, match="float64"):
        ecm.run(np.zeros((4, 2, 2, 16, 16)), out, time_step_s=0.1, k_pixel_size=0.05)
    with pytest.raises(ecm.InputError, match="dimensions"):
        ecm.run(np.zeros((4, 16, 16), dtype=np.uint16), out, time_step_s=0.1, k_pixel_size=0.05)
    frames, _ = simulated.frames_and_calibration()
    with pytest.raises(ecm.InputError, match="time.step"):
        ecm.run(frames, out, **simulated.kwargs)  # an array has no calibration attributes
    assert not out.exists()


def test_world_of_one():
    assert ecm._ecm.world_size() == 1 and ecm._ecm.world_rank() == 0


def test_the_whole_file_is_the_cli_s(simulated, tmp_path):
    """Beyond the arrays: every dataset and attribute of ecm.run's output equals `ecm run`'s
    on one rank (configuration, run_fingerprint, registration ...), except what records this
    one run (its command line, times, memory, timings): tests/cli/same_results.py."""
    import subprocess
    import sys
    from conftest import HERE, ecm_cli
    cli = tmp_path / "cli_one_rank.h5"
    ecm_cli("run", simulated.input, "-o", cli, *simulated.options, "--progress", "none", cwd=tmp_path, ranks=1)
    ecm.run(simulated.input, tmp_path / "python.h5", **simulated.kwargs)
    provenance = ["command_line", "start_time", "end_time", "peak_rss_max_bytes", "bytes_fetched_over_requested"]
    done = subprocess.run([sys.executable, f"{HERE}/../cli/same_results.py", str(cli), str(tmp_path / "python.h5"),
                           *[f"--ignore-attribute={a}" for a in provenance], "--ignore-values=/timing/stage_seconds"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_threads_take_turns(simulated):
    """ecm.run releases the GIL; runs from several Python threads go one at a time (MPI is
    SERIALIZED) and each gives the CLI's bits."""
    import threading
    results, errors = [], []

    def one():
        try:
            results.append(ecm.run(simulated.input, **simulated.kwargs))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=one) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 3
    for r in results:
        assert_same_as_cli(r, simulated.cli_output)
