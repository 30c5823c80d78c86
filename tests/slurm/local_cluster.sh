#!/usr/bin/env bash
# A one-node SLURM cluster on this machine for the job-script tests (Debian's slurmctld,
# slurmd and munge, run by root without systemd). Prints the SLURM_CONF to export.
#   local_cluster.sh start DIR     start munged, slurmctld, slurmd with state in DIR
#   local_cluster.sh stop DIR      stop them
# Exit 77 (a skipped test) when SLURM or munge is not installed or we are not root.
set -euo pipefail
action=$1 dir=$2
conf=$dir/slurm.conf
stop_all() {
  for pid in "$dir"/slurmd.pid "$dir"/slurmctld.pid "$dir"/munged.pid; do
    [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
    rm -f "$pid"
  done
  sleep 1
}
if [ "$action" = stop ]; then
  stop_all
  exit 0
fi
stop_all  # daemons a previous run in this directory left behind
for tool in slurmctld slurmd sbatch munged; do
  command -v "$tool" > /dev/null || { echo "local_cluster: $tool is not installed (cmake/setup-debian.sh installs it)"; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "local_cluster: the test cluster needs root"; exit 77; }
# slurmd reads the CPU topology from sysfs (hwloc); a chroot without /sys cannot run it.
# (and initialises its cgroup plugin even with proctrack/linuxproc).
[ -d /sys/devices/system/cpu ] && mountpoint -q /sys/fs/cgroup ||
  { echo "local_cluster: no /sys or /sys/fs/cgroup (a chroot?): slurmd cannot run here"; exit 77; }
mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
# The node is "localhost" at 127.0.0.1, whatever the machine's own name resolves to.
host=localhost
cpus=$(nproc)
mem=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.8 }' /proc/meminfo)

# munge: a key of our own, and its own socket, so a system munged is left alone.
key=$dir/munge/munge.key
[ -f "$key" ] || { dd if=/dev/urandom of="$key" bs=1 count=1024 status=none; chmod 400 "$key"; }
socket=$dir/munge/munge.socket
munged --force --key-file="$key" --socket="$socket" --pid-file="$dir/munged.pid" \
  --log-file="$dir/munged.log" --seed-file="$dir/munge/seed" 2>> "$dir/munged.log"

cat > "$conf" <<CONF
ClusterName=ecmtest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
JobRequeue=1
MinJobAge=3600
KillWait=10
OverTimeLimit=0
NodeName=$host NodeAddr=127.0.0.1 NodeHostname=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
export SLURM_CONF=$conf
slurmctld -f "$conf"
slurmd -f "$conf" -N "$host"
for _ in $(seq 1 60); do
  sinfo -h -o %T 2>/dev/null | grep -qE "^idle" && { echo "$conf"; exit 0; }
  sleep 0.5
done
echo "local_cluster: the node did not come up; see $dir/slurmctld.log and $dir/slurmd.log"
sinfo 2>&1 || true
stop_all
exit 1
