#!/usr/bin/env python3
"""Writes the bad-input corpus of issue 14 into WORKDIR/files (nothing of it is committed).

    make_corpus.py ECM WORKDIR          (MPIEXEC, MPIEXEC_FLAGS as the CLI tests)

Good seeds come from `ecm simulate` (canonical HDF5 and every camera format it writes) and
from the real camera files in ../shared/testdata/real; each bad input is a seed with one
thing wrong: truncated, a wrong type, shape or attribute, NaN/Inf/saturated/zero data, a
damaged camera header, a header that disagrees with the file's size, a link, a FIFO, a
directory, an empty file. The references the `ok` cases are compared with (ref_*.h5) are
runs of ecm on the clean seeds, or on a twin of the bad input holding what ecm should read
(a NaN frame value is read as 0 counts: the twin holds a 0 there).
"""
import os
import re
import shlex
import shutil
import struct
import subprocess
import sys

import h5py
import numpy as np

ECM, WORK = sys.argv[1], sys.argv[2]
FILES = os.path.join(WORK, "files")
REAL = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../shared/testdata/real"))
REAL = os.environ.get("ECM_REAL_DATA", REAL)

# The same grids and calibration as the case table's {G}, {T} and {C} (corpus_cases.txt).
GRID = "--kr-range 0.3,0.55 --n-kr 2 --n-kphi 8 --progress none"
TGRID = "--kr-range 0.3,0.55 --n-kr 2 --n-kphi 8"
CALIB = "--k-pixel-size 0.04 --beam-center 15.5,15.5 --scan-shape 4,4"
SIM = "--scan 4,4 --cycles 32 --detector 32,32 --k-pixel-size 0.04 --tau 1 --time-step 0.125 --seed 5"
ESIM = "--scan 2,2 --cycles 16 --detector 128,128 --k-pixel-size 0.01 --tau 1 --time-step 0.125 --seed 6 --dtype float32"


def mpi(*args, ranks=2):
    cmd = [os.environ.get("MPIEXEC", "mpiexec")] + shlex.split(os.environ.get("MPIEXEC_FLAGS", ""))
    cmd += ["-n", str(ranks), ECM] + [str(a) for a in args]
    r = subprocess.run(cmd, cwd=FILES, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        sys.exit(f"make_corpus: `ecm {' '.join(map(str, args))}` failed:\n{r.stdout}")


def ecm(line):
    mpi(*shlex.split(line.format(G=GRID, T=TGRID, C=CALIB, SIM=SIM, ESIM=ESIM)))


def cp(src, dst):
    shutil.copyfile(src, dst)
    return dst


def edited(name, src):
    return h5py.File(cp(src, name), "r+")


def patch(name, src, offset, fmt, *values):
    """A copy of SRC with struct FMT (little endian unless FMT says) written at OFFSET."""
    data = bytearray(open(src, "rb").read())
    struct.pack_into(fmt if fmt[0] in "<>=!" else "<" + fmt, data, offset, *values)
    open(name, "wb").write(data)


def truncated(name, src, size):
    data = open(src, "rb").read()
    open(name, "wb").write(data[:size if size >= 0 else len(data) + size])


def text_replaced(name, src, old, new, count=1):
    data = open(src, "rb").read()
    assert old.encode() in data, f"{old!r} not in {src}"
    open(name, "wb").write(data.replace(old.encode(), new.encode(), count))


def frames_file(name, data, attrs=None, dataset="frames", **kwargs):
    with h5py.File(name, "w") as f:
        d = f.create_dataset(dataset, data=data, **kwargs)
        for k, v in (attrs if attrs is not None else CAL).items():
            d.attrs[k] = v


def seeds():
    ecm("simulate good.h5 --truth truth.h5 {SIM}")
    ecm("simulate f32.h5 --truth truth_f32.h5 {SIM} --dtype float32")
    ecm("simulate stream.h5 --truth truth_stream.h5 {SIM} --layout stream")
    ecm("simulate cam.mib --truth truth_mib.h5 --format mib --layout stream {SIM}")
    ecm("simulate cam.seq --truth truth_seq.h5 --format seq --layout stream {SIM}")
    ecm("simulate cam_movie.mrc --truth truth_mrc.h5 --format mrc --layout stream {SIM}")
    ecm("simulate cam_master.h5 --truth truth_nexus.h5 --format nexus --layout stream {SIM}")
    ecm("simulate e.xml --truth truth_empad.h5 --format empad {ESIM}")
    ecm("simulate e_canon.h5 --truth truth_e_canon.h5 --layout stream {ESIM}")
    # References: a run, a ttcf, a conversion of the clean inputs.
    ecm("run good.h5 -o ref_good.h5 {G}")
    ecm("run stream.h5 -o ref_cam.h5 {G} {C}")
    ecm("ttcf good.h5 -o ref_ttcf.h5 {T}")
    ecm("ttcf stream.h5 -o ref_ttcf_cam.h5 {T} {C}")
    ecm("run e_canon.h5 -o ref_empad.h5 --kr-range 0.3,0.55 --n-kr 1 --n-kphi 8 --progress none "
        "--k-pixel-size 0.01 --beam-center 63.5,63.5 --time-step 0.125")
    # Results for stats, design, report and inspect, each command's own copy where it writes.
    for name in ("res.h5", "res_stats.h5", "res_design.h5"):
        cp("ref_good.h5", name)
    global CAL
    with h5py.File("good.h5", "r") as f:
        CAL = {k: f["frames"].attrs[k] for k in ("time_step_s", "k_pixel_size_inv_angstrom", "beam_center_yx")}


def hdf5_inputs():
    with h5py.File("good.h5", "r") as f:
        g = f["frames"][()]
    with h5py.File("f32.h5", "r") as f:
        f32 = f["frames"][()]
    open("empty.h5", "wb").close()
    open("text.h5", "w").write("this is not an HDF5 file\n")
    open("zeros.h5", "wb").write(bytes(4096))
    for name, size in (("trunc_half.h5", len(open("good.h5", "rb").read()) // 2), ("trunc_head.h5", 2048),
                       ("trunc_superblock.h5", 40), ("trunc_last_byte.h5", -1)):
        truncated(name, "good.h5", size)
    # The superblock's signature damaged, then a byte in the middle of the object headers.
    patch("bad_signature.h5", "good.h5", 1, "3s", b"XXX")
    data = bytearray(open("good.h5", "rb").read())
    data[800:900] = b"\xff" * 100
    open("bad_metadata.h5", "wb").write(data)
    # Shapes and element types.
    frames_file("dims1.h5", g.reshape(-1)[:4096])
    frames_file("dims2.h5", g[0, 0, 0])
    frames_file("dims6.h5", g[None])
    frames_file("zero_cycles.h5", g[:0])
    frames_file("one_cycle.h5", g[:1])
    frames_file("two_cycles.h5", g[:2])
    frames_file("det_2x2.h5", g[:, :, :, 14:16, 14:16])
    frames_file("det_1x32.h5", g[:, :, :, 15:16, :])
    frames_file("scan_1x1.h5", g[:, :1, :1])
    frames_file("strings.h5", np.full((4, 2, 2, 4, 4), b"abc"))
    frames_file("compound.h5", np.zeros((8, 2, 2, 8, 8), dtype=[("a", "<u2"), ("b", "<f4")]))
    frames_file("bool.h5", (g > 0))
    frames_file("int8_negative.h5", (g.astype(np.int16) - 3).astype(np.int8))
    frames_file("float64.h5", g.astype(np.float64))
    frames_file("int64.h5", g.astype(np.int64))
    frames_file("uint32_max.h5", np.full(g.shape, 2**32 - 1, np.uint32))
    frames_file("negative_f32.h5", f32 - 1000)
    frames_file("huge_f32.h5", np.where(f32 > 0, np.float32(1e38), f32))
    frames_file("gzip.h5", g, chunks=(1, 1, 1, 32, 32), compression="gzip")
    frames_file("big_endian.h5", g.astype(">u2"))
    frames_file("frames_in_group.h5", g, dataset="entry/data/frames")
    with h5py.File("two_datasets.h5", "w") as f:
        f["a"] = g
        f["b"] = g
        for k, v in CAL.items():
            f["a"].attrs[k] = v
            f["b"].attrs[k] = v
    with h5py.File("no_frames.h5", "w") as f:
        f["notes"] = np.arange(5)
    # Attributes: missing, zero, negative, NaN, text, wrong length.
    def attr_case(name, key, value, src="good.h5"):
        with edited(name, src) as f:
            if key in f["frames"].attrs:
                del f["frames"].attrs[key]
            if value is not None:
                f["frames"].attrs[key] = value
    attr_case("dt_zero.h5", "time_step_s", 0.0)
    attr_case("dt_negative.h5", "time_step_s", -0.125)
    attr_case("dt_nan.h5", "time_step_s", np.nan)
    attr_case("dt_text.h5", "time_step_s", "fast")
    attr_case("dt_array.h5", "time_step_s", np.array([0.125, 0.25]))
    attr_case("dt_huge.h5", "time_step_s", 1e300)
    attr_case("dk_zero.h5", "k_pixel_size_inv_angstrom", 0.0)
    attr_case("dk_negative.h5", "k_pixel_size_inv_angstrom", -0.04)
    attr_case("dk_text.h5", "k_pixel_size_inv_angstrom", "small")
    attr_case("dk_missing.h5", "k_pixel_size_inv_angstrom", None)
    attr_case("center_3.h5", "beam_center_yx", np.array([15.5, 15.5, 1.0]))
    attr_case("center_text.h5", "beam_center_yx", "middle")
    attr_case("center_outside.h5", "beam_center_yx", np.array([1e6, -1e6]))
    attr_case("center_inf.h5", "beam_center_yx", np.array([np.inf, 15.5]))
    attr_case("shape_zero.h5", "scan_shape", np.array([0, 4]))
    attr_case("shape_wrong.h5", "scan_shape", np.array([5, 5]))
    attr_case("shape_negative.h5", "scan_shape", np.array([-4, -4]))
    attr_case("shape_text.h5", "scan_shape", "4x4")
    attr_case("stream_shape_wrong.h5", "scan_shape", np.array([3, 5]), src="stream.h5")
    attr_case("stream_shape_huge.h5", "scan_shape", np.array([2**31, 2**31]), src="stream.h5")
    attr_case("stream_no_shape.h5", "scan_shape", None, src="stream.h5")
    attr_case("convergence_negative.h5", "convergence_inv_angstrom", -0.1)
    attr_case("convergence_nan.h5", "convergence_inv_angstrom", np.nan)
    attr_case("dark_ref_missing.h5", "dark_reference", "/no_dark")
    # Frame values: NaN, Inf, saturated, all zero; each NaN case has a twin with 0 there.
    def values_case(name, src, where, value):
        with edited(name, src) as f:
            a = f["frames"][()]
            a[where] = value
            f["frames"][...] = a
    values_case("nan_one.h5", "f32.h5", (3, 1, 2, 10, 20), np.nan)
    values_case("nan_one_twin.h5", "f32.h5", (3, 1, 2, 10, 20), 0)
    values_case("inf_pixel.h5", "f32.h5", (slice(None), slice(None), slice(None), 10, 20), np.inf)
    values_case("inf_pixel_twin.h5", "f32.h5", (slice(None), slice(None), slice(None), 10, 20), 0)
    values_case("neginf_frame.h5", "f32.h5", (5, 2, 2), -np.inf)
    values_case("neginf_frame_twin.h5", "f32.h5", (5, 2, 2), 0)
    values_case("nan_all.h5", "f32.h5", (Ellipsis,), np.nan)
    values_case("zero_all.h5", "good.h5", (Ellipsis,), 0)
    values_case("saturated.h5", "good.h5", (Ellipsis,), 65535)
    values_case("denormal.h5", "f32.h5", (Ellipsis,), np.float32(1e-40))
    for twin in ("nan_one_twin", "inf_pixel_twin", "neginf_frame_twin"):
        ecm(f"run {twin}.h5 -o ref_{twin}.h5 {{G}}")
    # Links and storage outside the file.
    with h5py.File("soft_link.h5", "w") as f:
        f.create_group("data")
        f["data/frames"] = g
        for k, v in CAL.items():
            f["data/frames"].attrs[k] = v
        f["frames"] = h5py.SoftLink("/data/frames")
    with h5py.File("dangling_soft.h5", "w") as f:
        f["frames"] = h5py.SoftLink("/nowhere")
    with h5py.File("dangling_external.h5", "w") as f:
        f["frames"] = h5py.ExternalLink("no_such_file.h5", "/frames")
    with h5py.File("external_outside.h5", "w") as f:
        f["frames"] = h5py.ExternalLink("/tmp/../etc/../tmp/corpus_no_file.h5", "/frames")
    with h5py.File("external_raw_passwd.h5", "w") as f:
        f.create_dataset("frames", shape=(2, 1, 1, 4, 4), dtype="u1", external=[("/etc/passwd", 0, 32)])
    with h5py.File("vds_missing_source.h5", "w") as f:
        layout = h5py.VirtualLayout(shape=g.shape, dtype=g.dtype)
        layout[...] = h5py.VirtualSource("vds_source_gone.h5", "frames", shape=g.shape)
        d = f.create_virtual_dataset("frames", layout, fillvalue=0)
        for k, v in CAL.items():
            d.attrs[k] = v
    # References: wrong shapes and types, NaN and absurd values.
    with h5py.File("refs.h5", "w") as f:
        f["dark_16"] = np.zeros((16, 16), "f4")
        f["dark_3d"] = np.zeros((2, 32, 32), "f4")
        f["dark_text"] = np.full((32, 32), b"x")
        f["dark_huge"] = np.full((32, 32), 1e30, "f4")
        f["dark_zero"] = np.zeros((32, 32), "f4")
        f["gain_16"] = np.ones((16, 16), "f4")
        f["gain_negative"] = -np.ones((32, 32), "f4")
        gain_nan = np.ones((32, 32), "f4")
        gain_nan[10, 20] = np.nan
        f["gain_nan"] = gain_nan
        f["mask_16"] = np.zeros((16, 16), "u1")
        f["mask_half"] = np.full((32, 32), 0.5, "f4")
        f["mask_all"] = np.ones((32, 32), "u1")
        f["mask_scalar"] = 1
        f["drift_48"] = np.zeros((48, 2))
        f["drift_nan"] = np.full((32, 2), np.nan)
        f["drift_huge"] = np.full((32, 2), 1e9)
        f["drift_3col"] = np.zeros((32, 3))
    # Paths that are not regular files.
    os.mkdir("adir")
    os.mkdir("adir.h5")
    os.mkfifo("fifo.h5")
    os.symlink("good.h5", "link_good.h5")
    os.symlink("no_such_target.h5", "dangling_link.h5")
    os.symlink("loop_b.h5", "loop_a.h5")
    os.symlink("loop_a.h5", "loop_b.h5")
    os.symlink(os.path.abspath("good.h5"), "link_abs.h5")
    os.symlink("good.h5", "out_link_to_input.h5")
    cp("good.h5", "name with spaces é.h5")
    # Config files.
    open("empty.ini", "w").close()
    open("bad_key.ini", "w").write("no-such-option = 3\n")
    open("bad_value.ini", "w").write("threshold = abc\n")
    open("bad_syntax.ini", "w").write("[[[ this is not ini\n")
    open("grid.ini", "w").write("kr-range = 0.3,0.55\nn-kr = 2\nn-kphi = 8\nprogress = none\n")
    open("drift_text.h5", "w").write("0 0\n0 0\n")


def result_inputs():
    with h5py.File("res.h5", "r") as f:
        shape = f["fit_status"].shape
    def res_case(name, edit):
        with edited(name, "res.h5") as f:
            edit(f)
    res_case("res_no_tau.h5", lambda f: f.__delitem__("tau"))
    res_case("res_no_status.h5", lambda f: f.__delitem__("fit_status"))
    res_case("res_no_axes.h5", lambda f: f.__delitem__("axes"))
    def retype(f, key, value):
        del f[key]
        f[key] = value
    res_case("res_tau_text.h5", lambda f: retype(f, "tau", np.full(shape, b"t")))
    res_case("res_tau_1d.h5", lambda f: retype(f, "tau", np.ones(7, "f4")))
    res_case("res_tau_nan.h5", lambda f: retype(f, "tau", np.full(shape, np.nan, "f4")))
    res_case("res_none_valid.h5", lambda f: retype(f, "fit_status", np.full(shape, 1, f["fit_status"].dtype)))
    res_case("res_status_99.h5", lambda f: retype(f, "fit_status", np.full(shape, 99, f["fit_status"].dtype)))
    res_case("res_tau_negative.h5", lambda f: retype(f, "tau", -np.abs(f["tau"][()])))
    res_case("res_kr_empty.h5", lambda f: retype(f, "axes/k_r", np.zeros(0)))
    res_case("res_kphi_nan.h5", lambda f: retype(f, "axes/k_phi", np.full(8, np.nan)))
    res_case("res_lag_text.h5", lambda f: retype(f, "axes/lag_s", np.full(3, b"x")))
    truncated("res_truncated.h5", "res.h5", len(open("res.h5", "rb").read()) // 2)
    with edited("ttcf_no_g.h5", "ref_ttcf.h5") as f:
        del f["ttcf/G_mean"]
    with edited("ttcf_g_1d.h5", "ref_ttcf.h5") as f:
        retype(f, "ttcf/G_mean", np.ones(5))
    truncated("ttcf_truncated.h5", "ref_ttcf.h5", 3000)


def mib_inputs():
    data = open("cam.mib", "rb").read()
    hlen = int(data[11:16])
    frame = hlen + 32 * 32 * 2
    n = len(data) // frame
    def frame_edit(name, index, old, new):
        b = bytearray(data)
        start = index * frame
        head = bytes(b[start:start + hlen]).replace(old.encode(), new.encode(), 1)
        assert len(head) == hlen
        b[start:start + hlen] = head
        open(name, "wb").write(b)
        cp("cam.hdr", name[:-4] + ".hdr")
    frame_edit("mib_magic.mib", 0, "MQ1,", "XQ1,")
    frame_edit("mib_hlen_text.mib", 0, "00384", "0a384")
    frame_edit("mib_hlen_huge.mib", 0, "00384", "99999")
    frame_edit("mib_width_zero.mib", 0, ",0032,0032,", ",0000,0032,")
    frame_edit("mib_depth_u07.mib", 0, "U16", "U07")
    frame_edit("mib_depth_u64.mib", 0, "U16", "U64")
    frame_edit("mib_shutter_text.mib", 0, "0.006250", "abcdefgh")
    frame_edit("mib_last_differs.mib", n - 1, ",0032,0032,", ",0016,0032,")
    frame_edit("mib_middle_magic.mib", n // 2, "MQ1,", "MQ2,")
    frame_edit("mib_middle_time.mib", n // 2, "ns,", "xx,")
    # Timestamps: frame 96's (the first of cycle 6) dates set 4 years back (time goes backwards).
    b = bytearray(data)
    head = bytes(b[96 * frame:96 * frame + hlen]).replace(b"2024-", b"2020-")
    b[96 * frame:96 * frame + hlen] = head
    open("mib_time_backwards.mib", "wb").write(b)
    cp("cam.hdr", "mib_time_backwards.hdr")
    for name, size in (("mib_trunc_partial.mib", len(data) - 100), ("mib_trunc_header.mib", 200),
                       ("mib_trunc_cycle.mib", frame * (n - 5))):
        truncated(name, "cam.mib", size)
        cp("cam.hdr", name[:-4] + ".hdr")
    open("mib_empty.mib", "wb").close()
    cp("cam.mib", "mib_nohdr.mib")
    hdr = open("cam.hdr").read()
    cp("cam.mib", "mib_hdr_garbage.mib")
    open("mib_hdr_garbage.hdr", "w").write("garbage\n")
    cp("cam.mib", "mib_hdr_scan_text.mib")
    open("mib_hdr_scan_text.hdr", "w").write(hdr.replace("ScanX:\t4", "ScanX:\tfour"))
    cp("cam.mib", "mib_hdr_scan_zero.mib")
    open("mib_hdr_scan_zero.hdr", "w").write(hdr.replace("ScanX:\t4", "ScanX:\t0"))
    cp("cam.mib", "mib_hdr_scan_5.mib")
    open("mib_hdr_scan_5.hdr", "w").write(hdr.replace("ScanX:\t4", "ScanX:\t5"))
    cp("cam.mib", "mib_hdr_huge.mib")
    open("mib_hdr_huge.hdr", "w").write(hdr + "Padding:\t" + "x" * (2 << 20) + "\n")
    cp("cam.hdr", "mib_orphan.hdr")
    # The first and the last frame headers as U08 frames would be read (size disagrees).
    frame_edit("mib_depth_u08.mib", 0, "U16", "U08")


def seq_inputs():
    head = open("cam.seq", "rb").read(1024)
    size = os.path.getsize("cam.seq")
    stride = struct.unpack_from("<I", head, 580)[0]
    data = struct.unpack_from("<I", head, 660)[0] or 1024  # v5 records start at the byte alignment
    for name, off, fmt, val in (("seq_magic.seq", 0, "I", 0xBEEF), ("seq_version3.seq", 28, "i", 3),
                                ("seq_header_size.seq", 32, "i", 99999999), ("seq_width_zero.seq", 548, "I", 0),
                                ("seq_depth7.seq", 556, "I", 7), ("seq_imagesize.seq", 564, "I", 12345),
                                ("seq_stride_small.seq", 580, "I", 16), ("seq_allocated_more.seq", 572, "I", 100000),
                                ("seq_allocated_zero.seq", 572, "I", 0), ("seq_compressed.seq", 620, "I", 1),
                                ("seq_rate_nan.seq", 584, "d", float("nan")), ("seq_width_huge.seq", 548, "I", 2**31),
                                ("seq_format.seq", 568, "I", 999)):
        patch(name, "cam.seq", off, fmt, val)
    truncated("seq_trunc_header.seq", "cam.seq", 500)
    truncated("seq_trunc_partial.seq", "cam.seq", size - 100)
    truncated("seq_trunc_cycle.seq", "cam.seq", data + stride * (512 - 5))
    open("seq_empty.seq", "wb").close()
    # The per-frame timestamp (after the image: uint32 s, uint16 ms, uint16 us) of record 96,
    # the first of cycle 6, set to 0 (time goes backwards).
    image = struct.unpack_from("<I", head, 564)[0]
    patch("seq_time_backwards.seq", "cam.seq", data + 96 * stride + image, "IHH", 0, 0, 0)
    # Companion references: a dark MRC of the wrong size, a text file as the gain, a bad XML;
    # each in its own folder (a lone *.gain.mrc beside a movie is taken as its gain).
    for folder, base in (("seq_dark", "seq_dark_shape"), ("seq_gain", "seq_gain_text"), ("seq_xml", "seq_xml_bad")):
        os.makedirs(folder)
        cp("cam.seq", f"{folder}/{base}.seq")
    mrc_ref("seq_dark/seq_dark_shape.seq.dark.mrc", 16, 16)
    open("seq_gain/seq_gain_text.seq.gain.mrc", "w").write("not an mrc\n")
    open("seq_xml/seq_xml_bad.seq.Config.Metadata.xml", "w").write("<not <xml")


def mrc_ref(name, ny, nx, mode=2, nz=1):
    h = bytearray(1024)
    struct.pack_into("<4i", h, 0, nx, ny, nz, mode)
    h[208:212] = b"MAP "
    h[212:216] = b"\x44\x44\x00\x00"
    open(name, "wb").write(bytes(h) + np.zeros((nz, ny, nx), "<f4").tobytes())


def mrc_inputs():
    info = open("cam_info.txt").read()
    size = os.path.getsize("cam_movie.mrc")
    ext = struct.unpack_from("<i", open("cam_movie.mrc", "rb").read(96), 92)[0]
    def movie(base, src_info=info):
        open(base + "_info.txt", "w").write(src_info)
        return base + "_movie.mrc"
    for base, off, fmt, val in (("mrc_nx_zero", 0, "i", 0), ("mrc_mode3", 12, "i", 3), ("mrc_mode4", 12, "i", 4),
                                ("mrc_mode12", 12, "i", 12), ("mrc_mode99", 12, "i", 99), ("mrc_nz_zero", 8, "i", 0),
                                ("mrc_nz_more", 8, "i", 100000), ("mrc_ext_huge", 92, "i", 2**30),
                                ("mrc_ext_negative", 92, "i", -5), ("mrc_nx_negative", 0, "i", -32),
                                ("mrc_nz_negative", 8, "i", -1)):
        patch(movie(base), "cam_movie.mrc", off, fmt, val)
    truncated(movie("mrc_trunc_partial"), "cam_movie.mrc", size - 100)
    truncated(movie("mrc_trunc_header"), "cam_movie.mrc", 500)
    truncated(movie("mrc_trunc_cycle"), "cam_movie.mrc", 1024 + ext + 2048 * (512 - 5))
    key = "Scan - Size X                                                   = 4"
    for base, new in (("mrc_info_text", "Scan - Size X = four"), ("mrc_info_zero", "Scan - Size X = 0"),
                      ("mrc_info_5", "Scan - Size X = 5"), ("mrc_info_huge", "Scan - Size X = 99999999999")):
        cp("cam_movie.mrc", movie(base, info.replace(key, new)))
    cp("cam_movie.mrc", movie("mrc_info_repeats", re.sub(r"Scan - Repeats *= *\d+", "Scan - Repeats = 7", info)))
    cp("cam_movie.mrc", movie("mrc_info_empty", ""))
    cp("cam_movie.mrc", movie("mrc_info_garbage", "\x00\x01binary\xff junk\n"))
    cp("cam_movie.mrc", "mrc_noinfo.mrc")
    mrc_ref("mrc_tiny.mrc", 32, 32, nz=1)


def empad_inputs():
    xml = open("e.xml").read()
    raw = open("e.raw", "rb").read()
    rec = 128 * 130 * 4
    def pair(base, new_xml=xml, new_raw=raw):
        open(base + ".xml", "w").write(new_xml.replace('filename="e.raw"', f'filename="{base}.raw"'))
        if new_raw is not None:
            open(base + ".raw", "wb").write(new_raw)
    pair("empad_noraw", new_raw=None)
    pair("empad_size_odd", new_raw=raw[:-7])
    pair("empad_one_less", new_raw=raw[:-rec])
    pair("empad_empty_raw", new_raw=b"")
    pair("empad_pix_text", xml.replace("<pix_x>2</pix_x>", "<pix_x>two</pix_x>"))
    pair("empad_pix_zero", xml.replace("<pix_x>2</pix_x>", "<pix_x>0</pix_x>").replace(
        "<scan_resolution_x>2</scan_resolution_x>", "<scan_resolution_x>0</scan_resolution_x>"))
    pair("empad_pix_huge", xml.replace("<pix_x>2</pix_x>", "<pix_x>99999</pix_x>").replace(
        "<scan_resolution_x>2</scan_resolution_x>", "<scan_resolution_x>99999</scan_resolution_x>"))
    open("empad_no_rawtag.xml", "w").write(xml.replace('<raw_file filename="e.raw"/>', ""))
    open("empad_passwd.xml", "w").write(xml.replace('filename="e.raw"', 'filename="/etc/passwd"'))
    open("empad_not_xml.xml", "w").write("plain text, no tags\n")
    open("empad_huge.xml", "w").write(xml + "<!--" + "x" * (20 << 20) + "-->")
    a = np.frombuffer(raw, "<f4").copy()
    pair("empad_nan_all", new_raw=np.full_like(a, np.nan).tobytes())
    b = a.reshape(-1, 130, 128).copy()
    b[:, 40, 90] = np.inf
    pair("empad_inf_pixel", new_raw=b.tobytes())


def nexus_inputs():
    def nexus_set(base, edit_master=None, edit_data=None, edit_scan=None, data_copy=True):
        os.makedirs(base)
        cp("cam_master.h5", f"{base}/cam_master.h5")
        if data_copy:
            cp("cam_data_000001.h5", f"{base}/cam_data_000001.h5")
        cp("cam.h5", f"{base}/cam.h5")
        for fn, edit in (("cam_master.h5", edit_master), ("cam_data_000001.h5", edit_data), ("cam.h5", edit_scan)):
            if edit:
                with h5py.File(f"{base}/{fn}", "r+") as f:
                    edit(f)
        return f"{base}/cam_master.h5"
    det = "entry/instrument/detector"
    def retype(f, key, value):
        del f[key]
        f[key] = value
    nexus_set("nx_data_missing", data_copy=False)
    nexus_set("nx_mask_shape", lambda f: retype(f, f"{det}/detectorSpecific/pixel_mask", np.zeros((16, 16), "u4")))
    nexus_set("nx_mask_all", lambda f: retype(f, f"{det}/detectorSpecific/pixel_mask", np.ones((32, 32), "u4")))
    nexus_set("nx_flat_nan", lambda f: retype(f, f"{det}/detectorSpecific/flatfield", np.full((32, 32), np.nan, "f4")))
    def flat_applied_0(f, values):
        retype(f, f"{det}/detectorSpecific/flatfield", values)
        retype(f, f"{det}/flatfield_correction_applied", np.int8(0))
    flat_one = np.ones((32, 32), "f4")
    flat_one[10, 20] = np.nan
    nexus_set("nx_flat_nan_used", lambda f: flat_applied_0(f, np.full((32, 32), np.nan, "f4")))
    nexus_set("nx_flat_one_nan_used", lambda f: flat_applied_0(f, flat_one))
    nexus_set("nx_frame_time_negative", lambda f: retype(f, f"{det}/frame_time", -1.0))
    nexus_set("nx_no_links", lambda f: f.__delitem__("entry/data/data_000001"))
    nexus_set("nx_link_outside", lambda f: (f.__delitem__("entry/data/data_000001"), f.__setitem__(
        "entry/data/data_000001", h5py.ExternalLink(os.path.abspath("cam_data_000001.h5"), "/entry/data/data"))))
    nexus_set("nx_data_2d", edit_data=lambda f: retype(f, "entry/data/data", np.zeros((32, 32), "u2")))
    nexus_set("nx_scan_missing")
    os.remove("nx_scan_missing/cam.h5")
    nexus_set("nx_scan_text", edit_scan=lambda f: f["STEM Metadata"].attrs.__setitem__("NumPixelsX", "four"))
    nexus_set("nx_scan_zero", edit_scan=lambda f: f["STEM Metadata"].attrs.__setitem__("NumPixelsX", 0))
    nexus_set("nx_ok")
    nexus_set("nx_trunc")
    truncated("nx_trunc/cam_data_000001.h5", "cam_data_000001.h5", os.path.getsize("cam_data_000001.h5") // 2)
    # One compressed chunk's bytes overwritten: the LZ4 stream no longer decodes (or decodes wrong).
    nexus_set("nx_chunk_damaged")
    with h5py.File("cam_data_000001.h5", "r") as f:
        info = f["entry/data/data"].id.get_chunk_info(100)
    b = bytearray(open("nx_chunk_damaged/cam_data_000001.h5", "rb").read())
    b[info.byte_offset + 12:info.byte_offset + info.size] = b"\xa5" * (info.size - 12)
    open("nx_chunk_damaged/cam_data_000001.h5", "wb").write(b)


def real_inputs():
    """Copies of the real camera files (small), and damaged versions of them."""
    if not os.path.isdir(REAL):
        sys.exit(f"make_corpus: no real camera files at {REAL} (set ECM_REAL_DATA)")
    m = f"{REAL}/merlin/002_merlin_test_roi_sig256x128_nav4x2_hot_pixel_52x_39y"
    cp(m + ".mib", "real_merlin.mib")
    cp(m + ".hdr", "real_merlin.hdr")
    truncated("real_merlin_trunc.mib", "real_merlin.mib", os.path.getsize("real_merlin.mib") // 3)
    cp("real_merlin.hdr", "real_merlin_trunc.hdr")
    cp(f"{REAL}/merlin/001_4x2_6bit.mib", "real_r64.mib")
    cp(f"{REAL}/merlin/001_4x2_6bit.hdr", "real_r64.hdr")
    shutil.copytree(f"{REAL}/de/streampix_64x64", "real_seq")
    seq = [n for n in os.listdir("real_seq") if n.endswith(".seq")][0]
    os.makedirs("real_seq_bad")
    for n in os.listdir("real_seq"):
        cp(f"real_seq/{n}", f"real_seq_bad/{n}")
    patch(f"real_seq_bad/{seq}", f"real_seq/{seq}", 580, "I", 7)
    shutil.copytree(f"{REAL}/arina", "real_arina")
    shutil.copytree(f"{REAL}/de_server_mrc", "real_mrc")
    shutil.copytree(f"{REAL}/empad", "real_empad")
    cp(f"{REAL}/emd/py4DSTEM_size2x3x4x5.h5", "real_emd.h5")
    cp(f"{REAL}/hspy/example2_v3.1.hspy", "real_hspy.hspy")
    # The shared files are read-only: the copies must be removable with the work folder.
    for root, dirs, files in os.walk("."):
        for n in dirs + files:
            p = os.path.join(root, n)
            if not os.path.islink(p) and (os.path.isdir(p) or os.path.isfile(p)):
                os.chmod(p, 0o755 if os.path.isdir(p) else 0o644)


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(FILES)
    os.chdir(FILES)
    seeds()
    hdf5_inputs()
    result_inputs()
    mib_inputs()
    seq_inputs()
    mrc_inputs()
    empad_inputs()
    nexus_inputs()
    real_inputs()
    total = sum(os.path.getsize(os.path.join(r, n)) for r, _, fs in os.walk(".") for n in fs
                if os.path.isfile(os.path.join(r, n)) and not os.path.islink(os.path.join(r, n)))
    print(f"make_corpus: {len(os.listdir('.'))} entries, {total / 1e6:.1f} MB in {FILES}")


if __name__ == "__main__":
    main()
