#!/usr/bin/env python3
"""The bad-input corpus of issue 14: runs every case of corpus_cases.txt on 2 MPI ranks and
checks the contract (docs/reliability.md).

    run_corpus.py [--ecm ECM] [--subset ci|all] [--work DIR] [--limit S] [--csv F] [--summary F] [--only REGEX]

ECM comes from --ecm or the environment variable ECM (an AddressSanitizer build works the
same way, with ASAN_OPTIONS=detect_leaks=0, and CORPUS_LIMIT_S or --limit for a longer limit
than 10 s); MPIEXEC and MPIEXEC_FLAGS as for the CLI tests. The inputs are made at run time by
make_corpus.py into DIR/files, where every case runs. Each case runs through run_ranks and
snapshot_stat of tests/cli/contract_helpers.sh, and must meet its expectation:

  refuse REGEX   every rank exits non-zero within the limit (10 s), stderr has exactly one
                 "error:" line and it matches REGEX (Python re), no file is left and no
                 existing file changed;
  exit65 REGEX   the same with exit 65 on every rank (a run without a valid tau keeps its
                 output, which is the only new file allowed);
  ok CHECKS      every rank exits 0 (or rc=N), no "error:" line, and the result is right:
                 same=REF (tau, beta, fit_status as REF's, bit for bit), ttcf_same=REF,
                 frames_same=SRC, valid=FRACTION, note=TEXT (in stdout or stderr); new files
                 only under the output (-o, --csv), existing files unchanged but changes=FILE.

A case with a sixth field "known: why" documents a bug another change owns, "open: why" a
finding not fixed yet: both are run, and when they fail they are counted apart (columns known
and open), with their outcome in the CSV. Exit status: 0 when every other case passed.
"""
import argparse
import collections
import csv
import os
import re
import shlex
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
HELPERS = os.path.join(HERE, "..", "cli", "contract_helpers.sh")
SUBST = {
    "{G}": "--kr-range 0.3,0.55 --n-kr 2 --n-kphi 8 --progress none",
    "{T}": "--kr-range 0.3,0.55 --n-kr 2 --n-kphi 8",
    "{C}": "--k-pixel-size 0.04 --beam-center 15.5,15.5 --scan-shape 4,4",
}
# What a crash leaves on stderr. Leaks are not crashes (MPI's own at exit, docs/reliability.md):
# with an AddressSanitizer build, run with ASAN_OPTIONS=detect_leaks=0 (LeakSanitizer would
# also change the exit status to 23).
CRASH_TEXT = re.compile(r"ERROR: AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:|Segmentation fault|"
                        r"terminate called|core dumped|Aborted|signal \d+ \(|Kokkos::abort|std::bad_alloc")
OK_LIMIT_S = 60


class Case:
    def __init__(self, line, lineno):
        fields = [f.strip() for f in line.split(" | ")]
        if len(fields) not in (5, 6):
            raise SystemExit(f"corpus_cases.txt:{lineno}: expected 'id | format | tags | expect | args [| known: why]'")
        self.id, self.format, tags, self.expect, args = fields[:5]
        # "known: why" (a bug another change owns) or "open: why" (a finding not fixed yet)
        self.known = fields[5] if len(fields) == 6 else ""
        if self.known and not self.known.startswith(("known:", "open:")):
            raise SystemExit(f"corpus_cases.txt:{lineno}: the sixth field must start with 'known:' or 'open:'")
        self.tags = set(t for t in tags.split(",") if t and t != "-")
        for k, v in SUBST.items():
            args = args.replace(k, v)
        self.args = shlex.split(args)
        self.command = self.args[0]
        self.kind, _, rest = self.expect.partition(" ")
        if self.kind not in ("refuse", "exit65", "ok"):
            raise SystemExit(f"corpus_cases.txt:{lineno}: unknown expectation '{self.kind}'")
        self.regex = rest.strip() if self.kind != "ok" else ""
        self.checks = shlex.split(rest) if self.kind == "ok" else []

    def outputs(self):
        """The paths a successful case may create (prefixes)."""
        outs = []
        for flag in ("-o", "--csv", "--truth"):
            if flag in self.args:
                outs.append(self.args[self.args.index(flag) + 1])
        if self.command == "simulate" and len(self.args) > 1:
            outs.append(self.args[1])
        return outs


def load_cases(path):
    cases, seen = [], set()
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        c = Case(line, n)
        if c.id in seen:
            raise SystemExit(f"corpus_cases.txt:{n}: case id '{c.id}' twice")
        seen.add(c.id)
        cases.append(c)
    return cases


def run_case(case, ecm, files, logs, limit):
    """Runs the case through contract_helpers.sh; returns (rank codes, job rc, ms, before, after)."""
    script = ('source "$HELPERS"; cd "$FILES" || exit 3; snapshot_stat > "$logs/$1.before"; '
              'run_ranks "$@"; echo "$job_rc $elapsed_ms" > "$logs/$1.meta"; snapshot_stat > "$logs/$1.after"')
    env = dict(os.environ, HELPERS=HELPERS, FILES=files, logs=logs, ecm=ecm)
    subprocess.run(["bash", "-c", script, "corpus", case.id, str(limit)] + case.args, env=env)
    codes = []
    for rank in (0, 1):
        try:
            codes.append(int(open(f"{logs}/{case.id}.rc.{rank}").read().strip()))
        except (OSError, ValueError):
            codes.append(None)
    job_rc, ms = (int(v) for v in open(f"{logs}/{case.id}.meta").read().split())
    snap = lambda p: dict((l.split(" ", 1)[0], l) for l in open(p).read().splitlines())
    return codes, job_rc, ms, snap(f"{logs}/{case.id}.before"), snap(f"{logs}/{case.id}.after")


def under(path, prefixes):
    """Whether PATH is one of the outputs, lies below one, or is a folder made for one."""
    p = os.path.normpath(path)
    for o in prefixes:
        o = os.path.normpath(os.path.join(".", o))
        if p == o or p.startswith(o) or o.startswith(p + os.sep):
            return True
    return False


def check_result(case, files, out_text):
    """The ok case's checks on its result; returns a list of problems."""
    import h5py
    import numpy as np
    problems = []
    output = os.path.join(files, case.args[case.args.index("-o") + 1]) if "-o" in case.args else None
    def same(datasets, ref, path):
        with h5py.File(path, "r") as a, h5py.File(os.path.join(files, ref), "r") as b:
            for d in datasets:
                x, y = a[d][()], b[d][()]
                eq = x.shape == y.shape and (np.array_equal(x, y, equal_nan=True) if x.dtype.kind == "f"
                                             else np.array_equal(x, y))
                if not eq:
                    problems.append(f"{d} differs from {ref}'s")
    for c in case.checks:
        key, _, value = c.partition("=")
        try:
            if key == "same":
                same(("tau", "beta", "fit_status"), value, output)
            elif key == "ttcf_same":
                same(("ttcf/G_mean", "ttcf/band_width_s", "ttcf/positions_yx"), value, output)
            elif key == "frames_same":
                with h5py.File(output, "r") as a, h5py.File(os.path.join(files, value), "r") as b:
                    x, y = a["frames"][()], b["frames"][()]
                    y = y.reshape(-1).astype(x.dtype)
                    if x.size != y.size or not np.array_equal(x.reshape(-1), y, equal_nan=x.dtype.kind == "f"):
                        problems.append(f"/frames differ from {value}'s")
            elif key == "valid":
                with h5py.File(output, "r") as f:
                    ok = f["fit_status"][()] == 0
                    tau = f["tau"][()]
                    frac = ok.mean()
                    if frac < float(value):
                        problems.append(f"valid fraction {frac:.3f} < {value}")
                    if not np.all(np.isfinite(tau[ok]) & (tau[ok] > 0)):
                        problems.append("a converged tau that is not a positive number")
            elif key == "note":
                if value not in out_text:
                    problems.append(f"no line with '{value}'")
            elif key in ("rc", "changes"):
                pass
            else:
                problems.append(f"unknown check {c}")
        except Exception as e:  # a missing or unreadable result is a wrong result
            problems.append(f"{c}: {type(e).__name__}: {e}")
    return problems


def judge(case, codes, job_rc, ms, before, after, err, out, files, limit):
    """Returns (outcome, detail): outcome is pass, crash, hang, destroyed, wrong, leftover,
    message or refused_good."""
    allowed_changes = {os.path.join(".", c.partition("=")[2]) for c in case.checks if c.startswith("changes=")}
    changed = sorted(p for p in before if p in after and before[p] != after[p] and p not in allowed_changes)
    removed = sorted(p for p in before if p not in after)
    created = sorted(p for p in after if p not in before)
    if job_rc in (124, 137):
        return "hang", f"still running after {limit} s" + (f"; changed: {' '.join(changed + removed)}"
                                                         if changed or removed else "")
    crashed = [r for r, c in enumerate(codes) if c is None or c >= 128]
    m = CRASH_TEXT.search(err)
    if crashed or m:
        return "crash", f"rank codes {codes}, job {job_rc}" + (f", stderr: {m.group(0)}" if m else "")
    if changed or removed:
        return "destroyed", "changed: " + " ".join(changed + removed)
    error_lines = [l for l in err.splitlines() if "error:" in l]
    want_rc = {"refuse": None, "exit65": 65, "ok": 0}[case.kind]
    for c in case.checks:
        if c.startswith("rc="):
            want_rc = int(c[3:])
    if case.kind in ("refuse", "exit65"):
        if any(c == 0 for c in codes):
            return "wrong", f"exit 0 on rank(s) {[r for r, c in enumerate(codes) if c == 0]} where a refusal was expected"
        if want_rc is not None and any(c != want_rc for c in codes):
            return "message", f"rank codes {codes}, expected {want_rc}"
        if case.kind == "exit65":
            outs = case.outputs()
            created = [p for p in created if not under(p, outs)]
        if created:
            return "leftover", "left: " + " ".join(created)
        if len(error_lines) != 1:
            return "message", f"{len(error_lines)} error lines: " + " / ".join(error_lines[:3])
        if not re.search(case.regex, error_lines[0]):
            return "message", f"'{error_lines[0]}' does not match /{case.regex}/"
        return "pass", error_lines[0]
    # ok
    stray = [p for p in created if not under(p, case.outputs())]
    if any(c != want_rc for c in codes):
        if all(c == 0 for c in codes):
            return "wrong", f"exit 0, expected {want_rc}"
        return "refused_good", f"rank codes {codes}: " + " / ".join(error_lines[:2])
    if error_lines:
        return "message", "error line in a success: " + error_lines[0]
    if stray:
        return "leftover", "unexpected files: " + " ".join(stray)
    problems = check_result(case, files, out + err)
    if problems:
        return "wrong", "; ".join(problems)
    return "pass", f"exit {want_rc}, result checked ({' '.join(case.checks) or 'exit code'})"


def remove_created(before, after, files):
    for p in sorted((p for p in after if p not in before), key=len, reverse=True):
        full = os.path.join(files, p)
        if os.path.isdir(full) and not os.path.islink(full):
            shutil.rmtree(full, ignore_errors=True)
        elif os.path.lexists(full):
            os.remove(full)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ecm", default=os.environ.get("ECM"))
    ap.add_argument("--subset", choices=("ci", "all"), default="all")
    ap.add_argument("--work", default=os.path.join(os.getcwd(), "corpus_work"))
    ap.add_argument("--limit", type=float, default=float(os.environ.get("CORPUS_LIMIT_S", 10)))
    ap.add_argument("--cases", default=os.path.join(HERE, "corpus_cases.txt"))
    ap.add_argument("--csv", help="one line per case")
    ap.add_argument("--summary", help="the markdown table per command and format")
    ap.add_argument("--only", help="run only the cases whose id matches this regex")
    ap.add_argument("--keep", action="store_true", help="reuse the inputs in --work (no regeneration)")
    ap.add_argument("--clean", action="store_true", help="remove the inputs (about 270 MB) when every case passed")
    a = ap.parse_args()
    if not a.ecm:
        sys.exit("run_corpus: give the ecm binary with --ecm or ECM")
    ecm = os.path.abspath(a.ecm)
    cases = [c for c in load_cases(a.cases) if a.subset == "all" or "ci" in c.tags]
    if a.only:
        cases = [c for c in cases if re.search(a.only, c.id)]
    work = os.path.abspath(a.work)
    files, logs = os.path.join(work, "files"), os.path.join(work, "logs")
    if not a.keep:
        r = subprocess.run([sys.executable, os.path.join(HERE, "make_corpus.py"), ecm, work])
        if r.returncode != 0:
            sys.exit("run_corpus: making the inputs failed")
    os.makedirs(logs, exist_ok=True)
    rows = []
    for case in cases:
        limit = a.limit if case.kind != "ok" else max(a.limit, OK_LIMIT_S)
        codes, job_rc, ms, before, after = run_case(case, ecm, files, logs, limit)
        err = open(f"{logs}/{case.id}.err", errors="replace").read()
        out = open(f"{logs}/{case.id}.out", errors="replace").read()
        outcome, detail = judge(case, codes, job_rc, ms, before, after, err, out, files, limit)
        remove_created(before, after, files)
        status = outcome if not case.known or outcome == "pass" else case.known.split(":")[0]
        rows.append(dict(id=case.id, command=case.command, format=case.format, tags=",".join(sorted(case.tags)),
                         expect=case.kind, outcome=outcome, status=status, codes=" ".join(map(str, codes)),
                         ms=ms, detail=detail, known=case.known))
        mark = {"pass": "ok  ", "known": "KNOWN", "open": "OPEN"}.get(status, "FAIL")
        print(f"{mark} {case.id} [{case.command}/{case.format}] {ms} ms: {outcome}: {detail}"
              + (f" ({case.known})" if case.known and outcome != "pass" else ""), flush=True)
        if status not in ("pass", "known", "open"):
            sys.stdout.write("".join("    | " + l + "\n" for l in (out + err).splitlines()[-12:]))
    write_outputs(rows, a.csv, a.summary)
    failed = [r for r in rows if r["status"] not in ("pass", "known", "open")]
    known = [r for r in rows if r["status"] == "known"]
    still_open = [r for r in rows if r["status"] == "open"]
    print(f"corpus: {len(rows)} cases, {len(rows) - len(failed) - len(known) - len(still_open)} passed, "
          f"{len(failed)} failed, {len(known)} known (owned by other changes), {len(still_open)} open (not fixed)")
    if a.clean and not failed:
        shutil.rmtree(files, ignore_errors=True)
    return 1 if failed else 0


COLUMNS = ("cases", "passed", "crashes", "hangs", "files destroyed", "silently wrong", "files left",
           "unclear message", "good input refused", "known", "open")


def write_outputs(rows, csv_path, summary_path):
    if csv_path:
        with open(csv_path, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0].keys()) if rows else ["id"])
            w.writeheader()
            w.writerows(rows)
    if not summary_path:
        return
    key = {"crash": "crashes", "hang": "hangs", "destroyed": "files destroyed", "wrong": "silently wrong",
           "leftover": "files left", "message": "unclear message", "refused_good": "good input refused"}
    table = collections.OrderedDict()
    for r in sorted(rows, key=lambda r: (r["command"], r["format"])):
        t = table.setdefault((r["command"], r["format"]), collections.Counter())
        t["cases"] += 1
        if r["status"] == "pass":
            t["passed"] += 1
        elif r["status"] in ("known", "open"):
            t[r["status"]] += 1
        else:
            t[key[r["outcome"]]] += 1
    total = collections.Counter()
    lines = ["| command | format | " + " | ".join(COLUMNS) + " |", "|---|---|" + "---|" * len(COLUMNS)]
    for (cmd, fmt), t in table.items():
        total.update(t)
        lines.append(f"| {cmd} | {fmt} | " + " | ".join(str(t[c]) for c in COLUMNS) + " |")
    lines.append("| **all** | | " + " | ".join(f"**{total[c]}**" for c in COLUMNS) + " |")
    open(summary_path, "w").write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
