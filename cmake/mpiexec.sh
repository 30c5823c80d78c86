#!/usr/bin/env bash
# mpiexec with what Open MPI needs on a workstation or container: root is allowed and
# more ranks than cores are allowed. On a cluster, use srun or the site's mpiexec instead.
flags=()
if mpiexec --version 2>&1 | grep -q "Open MPI\|OpenRTE"; then
  flags+=(--oversubscribe)
  [ "$(id -u)" -ne 0 ] || flags+=(--allow-run-as-root)
fi
exec mpiexec "${flags[@]}" "$@"
