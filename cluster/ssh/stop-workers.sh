#!/usr/bin/env bash
# Stops the Strata workers that start-workers.sh recorded. See cluster/ssh/README.md.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: stop-workers.sh [--state DIR] [--wait SECONDS] [--force] [HOST ...]

Sends SIGTERM to every worker recorded in STATE/workers.tsv (or only to those on the HOSTs
named): each worker stops its task processes, hands its tasks back to the coordinator (which
requeues them at once, without charging a retry) and exits. Then waits for them to exit.

options:
  --state DIR      the folder start-workers.sh wrote (default .strata-ssh)
  --wait SECONDS   how long to wait for the workers to exit (default 60)
  --force          SIGKILL the workers still running after the wait (their tasks then come back
                   only after the coordinator's heartbeat timeout)
  -h, --help       this text

Environment: SSH (default ssh) and SSH_OPTS (extra ssh options), as for start-workers.sh.
EOF
}

state=".strata-ssh"
wait_s=60
force=""
only=()
while (( $# > 0 )); do
    case "$1" in
        --state) state="${2:?--state needs a value}"; shift 2 ;;
        --wait) wait_s="${2:?--wait needs a value}"; shift 2 ;;
        --force) force=1; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "stop-workers: unknown option $1 (see --help)" >&2; exit 2 ;;
        *) only+=("$1"); shift ;;
    esac
done
if ! [[ "$wait_s" =~ ^[0-9]+$ ]]; then
    echo "stop-workers: --wait takes whole seconds, got $wait_s" >&2
    exit 2
fi

record="$state/workers.tsv"
if [[ ! -s "$record" ]]; then
    echo "stop-workers: no workers recorded in $record"
    exit 0
fi

# shellcheck source=cluster/ssh/ssh-command.sh
source "$(dirname "${BASH_SOURCE[0]}")/ssh-command.sh"
mkdir -p "$state/logs"

selected() {
    local host="$1" h
    (( ${#only[@]} == 0 )) && return 0
    for h in "${only[@]}"; do
        [[ "$h" == "$host" || "$h" == "${host#*@}" ]] && return 0
    done
    return 1
}

# Runs the POSIX shell command $2 on host $1 and prints what it prints.
on() {
    local host="$1" log
    log="$state/logs/${host//[^A-Za-z0-9._@-]/_}.log"
    "${ssh_command[@]}" -n "$host" "$2" 2>> "$log"
}

# The pid is checked to still be a strata process before it is signalled: a pid can be reused
# by another program after the worker has gone.
signal_command() {
    local pid="$1" signal="$2"
    printf '%s' "if kill -0 $pid 2>/dev/null; then"
    printf '%s' " if command -v ps >/dev/null 2>&1 && ! ps -o args= -p $pid | grep -q strata; then echo other;"
    printf '%s' " else kill -$signal $pid && echo signalled; fi; else echo gone; fi"
}

hosts=()
names=()
pids=()
dirs=()
keep=()
while IFS=$'\t' read -r host name pid dir; do
    [[ -z "$host" ]] && continue
    if selected "$host"; then
        hosts+=("$host"); names+=("$name"); pids+=("$pid"); dirs+=("$dir")
    else
        keep+=("$(printf '%s\t%s\t%s\t%s' "$host" "$name" "$pid" "$dir")")
    fi
done < "$record"

if (( ${#hosts[@]} == 0 )); then
    echo "stop-workers: no recorded worker on ${only[*]}"
    exit 0
fi

# 1. SIGTERM to every worker, so that they all hand back their tasks at the same time. A worker
# that is gone, or whose pid now belongs to another program, counts as stopped.
stopped=()
for i in "${!hosts[@]}"; do
    answer="$(on "${hosts[$i]}" "$(signal_command "${pids[$i]}" TERM)" || echo unreachable)"
    echo "stop-workers: ${hosts[$i]}: ${names[$i]} (pid ${pids[$i]}): $answer"
    stopped[i]=""
    if [[ "$answer" == gone || "$answer" == other ]]; then
        stopped[i]=1
    fi
done

# 2. Wait for them to exit.
deadline=$(( SECONDS + wait_s ))
for i in "${!hosts[@]}"; do
    while [[ -z "${stopped[i]}" ]]; do
        if ! answer="$(on "${hosts[$i]}" "kill -0 ${pids[$i]} 2>/dev/null && echo running || echo gone")"; then
            answer=unreachable
        fi
        if [[ "$answer" == gone ]]; then
            stopped[i]=1
            break
        fi
        if [[ "$answer" == unreachable ]] || (( SECONDS >= deadline )); then
            break
        fi
        sleep 1
    done
done

# 3. What is left: SIGKILL with --force, else report.
left=0
for i in "${!hosts[@]}"; do
    if [[ -z "${stopped[i]}" && -n "$force" ]]; then
        answer="$(on "${hosts[$i]}" "$(signal_command "${pids[$i]}" KILL)" || echo unreachable)"
        if [[ "$answer" == signalled || "$answer" == gone ]]; then
            stopped[i]=1
        fi
        echo "stop-workers: ${hosts[$i]}: ${names[$i]}: SIGKILL: $answer"
    fi
    if [[ -n "${stopped[i]}" ]]; then
        on "${hosts[$i]}" "rm -f $(printf '%q' "${dirs[$i]}")/pids/${names[$i]}.pid" > /dev/null || true
        echo "stop-workers: ${hosts[$i]}: ${names[$i]} stopped"
    else
        keep+=("$(printf '%s\t%s\t%s\t%s' "${hosts[$i]}" "${names[$i]}" "${pids[$i]}" "${dirs[$i]}")")
        left=$(( left + 1 ))
    fi
done

# Stopped workers leave the record; their key folders are free for start-workers.sh again.
if (( ${#keep[@]} > 0 )); then
    printf '%s\n' "${keep[@]}" > "$record.tmp"
else
    : > "$record.tmp"
fi
mv -f "$record.tmp" "$record"

if (( left > 0 )); then
    echo "stop-workers: $left worker(s) still running after ${wait_s} s (or their host did not answer);" \
        "run again, or with --force" >&2
    exit 1
fi
echo "stop-workers: all stopped"
