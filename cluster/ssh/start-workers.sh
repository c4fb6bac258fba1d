#!/usr/bin/env bash
# Starts Strata workers on a list of hosts over ssh. See cluster/ssh/README.md.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: start-workers.sh HOSTS_FILE --connect tcp://HOST:PORT [options] [-- extra worker options]

HOSTS_FILE lists one host a line: `[user@]host [workers]` (blank lines and # comments allowed).
Each worker gets its own key folder from KEYS/workers/, copied to the host; the worker runs
under nohup with its log in REMOTE_DIR/logs/NAME.log and its pid in REMOTE_DIR/pids/NAME.pid.
Started workers are recorded in STATE/workers.tsv for stop-workers.sh.

options:
  --connect ADDR         the coordinator's endpoint as the hosts reach it (required)
  --keys DIR             the folder made by `strata keys generate` (default keys)
  --per-host N           workers per host when the hosts file gives no number (default 1)
  --strata PATH          the strata executable on the hosts, with strata-train beside it
                         (default strata, found on PATH)
  --remote-dir DIR       folder on the hosts for keys, logs and pids (default .strata-workers,
                         relative to the remote home)
  --state DIR            local folder recording what was started (default .strata-ssh)
  --device DEV           cpu, cuda or auto (default auto)
  --slots N              tasks at once per worker (default 1)
  --threads T            libtorch threads per worker (default: the host's CPUs / its workers)
  --checkpoint-dir DIR   a folder shared by all hosts, as they see it (default: none)
  -h, --help             this text

Environment: SSH (default ssh) and SSH_OPTS (extra ssh options, e.g. "-J gateway").
EOF
}

hosts_file=""
connect=""
keys="keys"
per_host=1
strata="strata"
remote_dir=".strata-workers"
state=".strata-ssh"
device="auto"
slots=1
threads="auto"
checkpoint_dir=""
extra=()

while (( $# > 0 )); do
    case "$1" in
        --connect) connect="${2:?--connect needs a value}"; shift 2 ;;
        --keys) keys="${2:?--keys needs a value}"; shift 2 ;;
        --per-host) per_host="${2:?--per-host needs a value}"; shift 2 ;;
        --strata) strata="${2:?--strata needs a value}"; shift 2 ;;
        --remote-dir) remote_dir="${2:?--remote-dir needs a value}"; shift 2 ;;
        --state) state="${2:?--state needs a value}"; shift 2 ;;
        --device) device="${2:?--device needs a value}"; shift 2 ;;
        --slots) slots="${2:?--slots needs a value}"; shift 2 ;;
        --threads) threads="${2:?--threads needs a value}"; shift 2 ;;
        --checkpoint-dir) checkpoint_dir="${2:?--checkpoint-dir needs a value}"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        --) shift; extra=("$@"); break ;;
        -*) echo "start-workers: unknown option $1 (see --help)" >&2; exit 2 ;;
        *)
            if [[ -n "$hosts_file" ]]; then
                echo "start-workers: one hosts file only; got $hosts_file and $1" >&2
                exit 2
            fi
            hosts_file="$1"; shift ;;
    esac
done

if [[ -z "$hosts_file" || -z "$connect" ]]; then
    usage >&2
    exit 2
fi
if [[ ! -r "$hosts_file" ]]; then
    echo "start-workers: cannot read the hosts file $hosts_file" >&2
    exit 2
fi
if [[ ! -d "$keys/workers" ]]; then
    echo "start-workers: no $keys/workers; run \`strata keys generate $keys --workers N\` first" >&2
    exit 2
fi
if ! [[ "$per_host" =~ ^[1-9][0-9]*$ ]]; then
    echo "start-workers: --per-host must be a positive number, got $per_host" >&2
    exit 2
fi

# shellcheck source=cluster/ssh/ssh-command.sh
source "$(dirname "${BASH_SOURCE[0]}")/ssh-command.sh"

mkdir -p "$state/logs"
record="$state/workers.tsv"
touch "$record"

# Key folders not in use by a recorded worker, in name order.
free_keys=()
for dir in "$keys"/workers/*/; do
    name="$(basename "$dir")"
    [[ -f "$dir/worker.key" ]] || continue
    if ! awk -F'\t' -v name="$name" '$2 == name { found = 1 } END { exit !found }' "$record"; then
        free_keys+=("$name")
    fi
done

# Hosts and how many workers each gets.
hosts=()
counts=()
while read -r host count _; do
    [[ -z "$host" || "$host" == \#* ]] && continue
    count="${count:-$per_host}"
    if ! [[ "$count" =~ ^[1-9][0-9]*$ ]]; then
        echo "start-workers: $hosts_file: bad worker count '$count' for $host" >&2
        exit 2
    fi
    hosts+=("$host")
    counts+=("$count")
done < "$hosts_file"

needed=0
for count in "${counts[@]}"; do
    needed=$(( needed + count ))
done
if (( needed == 0 )); then
    echo "start-workers: $hosts_file lists no host" >&2
    exit 2
fi
if (( needed > ${#free_keys[@]} )); then
    echo "start-workers: $needed workers need $needed free worker keys; $keys/workers has ${#free_keys[@]} free." >&2
    echo "  make more with: strata keys add $keys worker-NNN   (one per missing worker)" >&2
    exit 2
fi

# The remote side runs a POSIX shell; every value is quoted for it.
quote() {
    printf '%q' "$1"
}

started=0
failed=0
next=0
for i in "${!hosts[@]}"; do
    host="${hosts[$i]}"
    count="${counts[$i]}"
    log="$state/logs/${host//[^A-Za-z0-9._@-]/_}.log"
    rdir="$(quote "$remote_dir")"
    for (( k = 0; k < count; k++ )); do
        name="${free_keys[$next]}"
        next=$(( next + 1 ))
        echo "start-workers: $host: starting $name" | tee -a "$log"

        # Copy the key folder (tar keeps the 0600 mode of worker.key).
        unpack="umask 077 && mkdir -p $rdir/keys $rdir/logs $rdir/pids && rm -rf $rdir/keys/$name"
        unpack+=" && tar -C $rdir/keys -xf -"
        if ! tar -C "$keys/workers" -cf - "$name" | "${ssh_command[@]}" "$host" "$unpack" >> "$log" 2>&1; then
            echo "start-workers: $host: copying the key $name failed (see $log)" >&2
            failed=$(( failed + 1 ))
            continue
        fi

        worker_cmd=("$strata" worker --connect "$connect" --keys "keys/$name" --name "$name@${host#*@}" \
            --slots "$slots" --device "$device" ${checkpoint_dir:+--checkpoint-dir "$checkpoint_dir"})
        worker_cmd+=("${extra[@]}")
        remote_worker=""
        for word in "${worker_cmd[@]}"; do
            remote_worker+="$(quote "$word") "
        done
        # --threads: the host's CPUs shared among its workers unless given.
        remote="cd $rdir && threads=$(quote "$threads") &&"
        remote+=" if [ \"\$threads\" = auto ]; then"
        remote+=" threads=\$(( \$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN) / $count ));"
        remote+=" [ \"\$threads\" -ge 1 ] || threads=1; fi &&"
        remote+=" { nohup $remote_worker--threads \"\$threads\" > logs/$name.log 2>&1 < /dev/null &"
        remote+=" echo \$! > pids/$name.pid; echo \$!; }"

        if pid="$("${ssh_command[@]}" -n "$host" "$remote" 2>> "$log")" && [[ "$pid" =~ ^[0-9]+$ ]]; then
            printf '%s\t%s\t%s\t%s\n' "$host" "$name" "$pid" "$remote_dir" >> "$record"
            echo "start-workers: $host: $name runs as pid $pid (log $remote_dir/logs/$name.log)" | tee -a "$log"
            started=$(( started + 1 ))
        else
            echo "start-workers: $host: starting $name failed (see $log)" >&2
            failed=$(( failed + 1 ))
        fi
    done
done

echo "start-workers: $started worker(s) started, $failed failed; recorded in $record"
if (( failed > 0 )); then
    exit 1
fi
