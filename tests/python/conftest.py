"""Fixtures of the Python front end's tests: the `ecm` program's own outputs, which the
module's results must equal bit for bit.

Run by ctest (python_pytest), which sets ECM_EXECUTABLE, ECM_CLI_HELPERS, MPIEXEC and
MPIEXEC_FLAGS and puts the build tree's module first on PYTHONPATH.
"""
import os
import shlex
import subprocess

import h5py
import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ECM = os.environ.get("ECM_EXECUTABLE", "ecm")
HELPERS = os.environ.get("ECM_CLI_HELPERS", os.path.join(HERE, "..", "cli", "contract_helpers.sh"))


def mpiexec(n):
    """The command prefix that starts n ranks (ctest passes Open MPI's root flags)."""
    flags = os.environ.get("MPIEXEC_FLAGS")
    if flags is None:
        flags = "--oversubscribe --allow-run-as-root" if os.geteuid() == 0 else ""
    return [os.environ.get("MPIEXEC", "mpiexec"), *shlex.split(flags), "-n", str(n)]


def ecm_cli(*args, cwd, ranks=2):
    """Runs `ecm ARGS` on `ranks` ranks; fails the test with its output if it fails."""
    # env: Python's copy of the environment from its start. The process' own environment also
    # holds what Open MPI's singleton set when ecm.run started MPI here (OMPI_*, PMIX_*),
    # which would make this mpiexec fail.
    done = subprocess.run(mpiexec(ranks) + [ECM, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          env=dict(os.environ))
    assert done.returncode == 0, f"ecm {' '.join(map(str, args))}: exit {done.returncode}\n{done.stdout}{done.stderr}"
    return done


def cli_options_as_kwargs(words):
    """['--kr-range', '0.3,0.55', '--n-kr', '2'] -> {'kr_range': '0.3,0.55', 'n_kr': '2'}: the
    CLI's words as ecm.run's keywords (values as the same text)."""
    kwargs, i = {}, 0
    while i < len(words):
        key = words[i][2:].replace("-", "_")
        if i + 1 < len(words) and not words[i + 1].startswith("--"):
            kwargs[key], i = words[i + 1], i + 2
        else:
            kwargs[key], i = True, i + 1
    return kwargs


def same_bits(a, b):
    """Equal dtype, shape and bytes (NaN equals NaN)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


class Acquisition:
    """An input file, the options it is analysed with, and the CLI's output for them."""

    def __init__(self, folder, input_path, options):
        self.folder, self.input, self.options = folder, input_path, options
        self.cli_output = os.path.join(folder, "cli.h5")
        ecm_cli("run", input_path, "-o", self.cli_output, *options, "--progress", "none", cwd=folder)

    @property
    def kwargs(self):
        return cli_options_as_kwargs(self.options)

    def frames_and_calibration(self):
        """The file's frames as a 5-D array and its calibration as ecm.run's keywords."""
        with h5py.File(self.input, "r") as f:
            d = f["frames"]
            frames = d[()]
            if frames.ndim == 3:
                ny, nx = (int(v) for v in d.attrs["scan_shape"])
                frames = frames.reshape(-1, ny, nx, *frames.shape[1:])
            a = d.attrs
            calibration = {"time_step_s": float(a["time_step_s"]), "k_pixel_size": float(a["k_pixel_size_inv_angstrom"])}
            if "beam_center_yx" in a:
                calibration["beam_center_yx"] = tuple(float(v) for v in a["beam_center_yx"])
            if "convergence_inv_angstrom" in a:
                calibration["convergence"] = float(a["convergence_inv_angstrom"])
        return frames, calibration


@pytest.fixture(scope="session")
def simulated(tmp_path_factory):
    """The CLI tests' small acquisition (contract_helpers.sh small_acquisition: 4x4 scan, 40
    cycles, 32x32 uint8), analysed by `ecm run` on 2 ranks with its k grid and --save-g2."""
    folder = str(tmp_path_factory.mktemp("simulated"))
    logs = os.path.join(folder, "logs")
    os.makedirs(logs)
    env = dict(os.environ, ecm=ECM, logs=logs)
    env.setdefault("MPIEXEC_FLAGS", " ".join(mpiexec(1)[1:-2]))
    done = subprocess.run(["bash", "-c", 'source "$0" && small_acquisition && printf "%s\\n" "${grid[@]}"', HELPERS],
                          cwd=folder, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    grid = done.stdout.split()
    return Acquisition(folder, os.path.join(folder, "data.h5"), grid + ["--save-g2"])


def write_handmade(path, rng_seed=7):
    """An acquisition that `ecm simulate` did not make: a frame stream (frame, det_y, det_x)
    of uint16 with a scan_shape attribute, a ring of speckles whose intensity follows an
    AR(1) process in time (τ = 1.5 s at 0.1 s per cycle) under Poisson counting."""
    rng = np.random.default_rng(rng_seed)
    n_t, ny, nx, det = 48, 3, 5, 24
    yy, xx = np.mgrid[0:det, 0:det] - (det - 1) / 2
    ring = 40.0 * np.exp(-0.5 * ((np.hypot(yy, xx) - 8.0) / 2.0) ** 2) + 300.0 * np.exp(-0.5 * (np.hypot(yy, xx) / 1.2) ** 2)
    rho = np.exp(-0.1 / 1.5)
    field = rng.standard_normal((ny, nx, det, det))
    frames = np.empty((n_t, ny, nx, det, det), dtype=np.uint16)
    for t in range(n_t):
        field = rho * field + np.sqrt(1 - rho**2) * rng.standard_normal(field.shape)
        frames[t] = rng.poisson(ring * np.exp(0.5 * field))
    with h5py.File(path, "w") as f:
        d = f.create_dataset("frames", data=frames.reshape(-1, det, det), chunks=(ny * nx, det, det))
        d.attrs["scan_shape"] = np.array([ny, nx], dtype=np.int64)
        d.attrs["time_step_s"] = 0.1
        d.attrs["k_pixel_size_inv_angstrom"] = 0.05
        d.attrs["beam_center_yx"] = np.array([(det - 1) / 2, (det - 1) / 2])
        d.attrs["scan_step_nm"] = 2.5


@pytest.fixture(scope="session")
def handmade(tmp_path_factory):
    """write_handmade's file analysed by `ecm run` on 2 ranks."""
    folder = str(tmp_path_factory.mktemp("handmade"))
    path = os.path.join(folder, "handmade.h5")
    write_handmade(path)
    return Acquisition(folder, path, ["--kr-range", "0.25,0.55", "--n-kr", "2", "--n-kphi", "6", "--no-register"])
