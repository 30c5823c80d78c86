"""ecm: k-resolved electron correlation microscopy, τ(r, k) from 5D-STEM acquisitions.

    import ecm
    result = ecm.run("acquisition.h5", n_kr=4, kr_range=(0.3, 0.6))   # or a numpy array of frames
    result.tau, result.k_r, result.fit_status                          # numpy arrays and axes
    result.to_xarray()                                                 # xarray.Dataset
    ecm.open_result("tau.h5")                                          # any `ecm run` output

See docs/python.md. The analysis runs in this process (MPI world of size 1) unless Python
itself was started under mpiexec, when every rank takes part.
"""
from . import _ecm
from ._ecm import Error, InputError
from .result import Result, open_result
from .run import run

__version__ = _ecm.__version__
git_revision = _ecm.git_revision

__all__ = ["run", "open_result", "Result", "Error", "InputError", "__version__"]
