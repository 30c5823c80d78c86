"""ecm.run: the analysis of `ecm run` from Python, on a file or on frames in memory.

A thin front end: it maps keyword options to the CLI's option names and values as text
(n_lags=50 -> "n-lags" = "50"), hands them to ecm::AnalysisOptions::set in C++ (the one place
that parses and validates them), runs ecm::Analysis and opens the output as a Result.
"""
import os
import shutil
import tempfile
import warnings
import weakref

import numpy as np

from . import _ecm
from .result import Result

# ecm::RunControls: how a run is carried out, not what it computes (never in the fingerprint).
_CONTROLS = {"progress", "resume", "schedule"}


def _option_text(key, value):
    """A Python value as the text `ecm run` takes for it on the command line."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (str, os.PathLike)):
        return os.fspath(value)
    if isinstance(value, (tuple, list, np.ndarray)):
        return ",".join(_option_text(key, v) for v in value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))  # shortest text that reads back as the same double
    raise TypeError(f"ecm.run: option {key}={value!r}: give a number, text, bool or a tuple of them")


class _TemporaryOutput:
    """A folder for an output nobody named; removed when the Result that holds it goes."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="ecm-")
        self.path = os.path.join(self.folder, "result.h5")
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.folder, ignore_errors=True)


def run(path_or_array, output=None, *, time_step_s=None, k_pixel_size=None, beam_center_yx=None,
        convergence=None, progress="none", resume=False, schedule="dynamic", **options):
    """Runs the analysis of `ecm run` and returns its output as an ecm.Result.

    path_or_array: an input file (any format `ecm run` reads) or a numpy array of frames
    (n_t, scan_y, scan_x, det_y, det_x) of uint8, uint16, uint32 or float32; a C-contiguous
    array is read in place (not copied) and must not change during the run.
    output: the result file; None writes a temporary file that lives as long as the Result.
    time_step_s [s], k_pixel_size [1/A per detector px], beam_center_yx [px], convergence
    [1/A]: calibration; required for an array (unless given as options), overrides for a file.
    **options: `ecm run`'s options by long name with '_' for '-' (n_lags=50,
    kr_range=(0.3, 0.6), save_g2=True, no_register=True); a bad name or value raises
    ecm.InputError with the CLI's message. progress ('none', 'bar', 'lines', 'auto'),
    resume and schedule ('dynamic', 'static') are how the run is carried out, as on the CLI.

    Without mpiexec the run takes this one process (an MPI world of size 1). Under
    `mpiexec -n N python script.py` every rank must call run() alike, with an output path
    that all ranks can reach; each rank gets the Result.
    """
    array = None if isinstance(path_or_array, (str, os.PathLike)) else path_or_array
    calibration = {"time-step": time_step_s, "k-pixel-size": k_pixel_size,
                   "beam-center": beam_center_yx, "convergence": convergence}
    pairs = []
    for key, value in options.items():
        name = key.replace("_", "-")
        if name in ("input", "output", "config", "help"):
            raise TypeError(f"ecm.run: '{key}' is not an option here: give the input and output as arguments")
        if value is None:
            continue
        pairs.append((name, _option_text(key, value)))
    if array is None:
        # For a file the calibration keywords are the CLI's overrides.
        pairs += [(name, _option_text(name, value)) for name, value in calibration.items() if value is not None]
    controls = {"progress": str(progress), "resume": bool(resume), "schedule": str(schedule),
                "command_line": _command_line(path_or_array, output, calibration, options)}

    temporary = None
    if output is None:
        if _ecm.world_size() > 1:
            raise ValueError("ecm.run under MPI with more than one rank needs output= a path every rank "
                             "can reach (a temporary file would differ per rank)")
        if resume:
            raise ValueError("ecm.run: resume=True needs the output= of the run to continue")
        temporary = _TemporaryOutput()
        output = temporary.path
    output = os.fspath(output)

    if array is None:
        report = _ecm.run_file(os.fspath(path_or_array), output, pairs, controls)
    else:
        frames = np.asarray(array)
        if not frames.flags.c_contiguous:
            frames = np.ascontiguousarray(frames)  # the one case that copies
        report = _ecm.run_frames(frames, output, pairs, controls,
                                 time_step_s=_number(time_step_s), k_pixel_size=_number(k_pixel_size),
                                 beam_center_yx=None if beam_center_yx is None else tuple(map(float, beam_center_yx)),
                                 convergence=_number(convergence))
    if report["n_converged"] == 0:
        warnings.warn(f"ecm.run: no fit converged ({report['status_counts']}); the result's fit_status says "
                      "why per pixel", RuntimeWarning, stacklevel=2)
    result = Result(report["output_path"] or output, keep_alive=temporary)
    result.report = report
    return result


def _number(value):
    return 0.0 if value is None else float(value)


def _command_line(source, output, calibration, options):
    """What the output's command_line attribute records: the call, as it was written."""
    what = os.fspath(source) if isinstance(source, (str, os.PathLike)) else \
        f"<array {getattr(source, 'dtype', '?')} {tuple(getattr(source, 'shape', ()))}>"
    words = [repr(what)] + ([f"output={os.fspath(output)!r}"] if output is not None else [])
    words += [f"{key.replace('-', '_')}={value!r}" for key, value in calibration.items() if value is not None]
    words += [f"{key}={value!r}" for key, value in options.items()]
    return f"ecm.run({', '.join(words)})"
