"""The module under mpiexec: every rank runs the analysis on MPI_COMM_WORLD (no mpi4py) and
gets the same Result, equal to the CLI's."""
import os
import subprocess
import sys

from conftest import mpiexec

SCRIPT = r"""
import sys, h5py, numpy as np
import ecm
from conftest import cli_options_as_kwargs, same_bits
inp, out, cli, *options = sys.argv[1:]
assert ecm._ecm.world_size() == 2, ecm._ecm.world_size()
r = ecm.run(inp, out, **cli_options_as_kwargs(options))
with h5py.File(cli, "r") as f:
    for name in ("tau", "fit_status", "beta", "contrast", "g2"):
        assert same_bits(getattr(r, name), f[name][()]), name
try:
    ecm.run(inp, out + ".2", n_lags="many")
    raise SystemExit("no error")
except ecm.InputError as e:
    assert "n-lags" in str(e), e
with open(f"{out}.rank{ecm._ecm.world_rank()}", "w") as f:  # stdout of the ranks interleaves
    f.write(f"ok on {r.attrs['mpi_ranks']:g} ranks")
"""


def test_two_ranks(simulated, tmp_path):
    out = str(tmp_path / "ranks.h5")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.dirname(__file__), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run(mpiexec(2) + [sys.executable, "-c", SCRIPT, simulated.input, out, simulated.cli_output,
                                        *simulated.options],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    for rank in (0, 1):
        with open(f"{out}.rank{rank}") as f:
            assert f.read() == "ok on 2 ranks", rank
