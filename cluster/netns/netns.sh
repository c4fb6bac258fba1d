#!/usr/bin/env bash
# Test hosts on one machine: network namespaces joined by veth links to a bridge, so that a
# coordinator and its workers talk over real (virtual) network interfaces, and a link can be cut.
#
#   netns.sh up NAME HOSTS     make NAME-hub (10.77.0.1, the bridge) and NAME-h1 … NAME-hHOSTS
#                              (10.77.0.2 …), each host linked to the hub by its own veth pair
#   netns.sh down NAME         remove every namespace (and link) of NAME
#   netns.sh cut NAME I        take host I's link down (a network partition)
#   netns.sh heal NAME I       bring it back
#   netns.sh addr NAME I       print host I's address (0 = the hub)
#   netns.sh exec NAME I CMD…  run CMD in host I (0 = the hub)
#
# Needs root (CAP_NET_ADMIN) and iproute2. NAME: 1–8 letters or digits (interface names are short).
# The subnet is 10.77.0.0/24 inside the namespaces only; the machine's own network is not touched.
set -euo pipefail

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

[[ $# -ge 2 ]] || usage
command=$1
name=$2
[[ $name =~ ^[A-Za-z0-9]{1,8}$ ]] || { echo "netns.sh: NAME must be 1-8 letters or digits, got '$name'" >&2; exit 2; }
subnet=10.77.0

ns() { if [[ $1 == 0 ]]; then echo "$name-hub"; else echo "$name-h$1"; fi; }
host_index() {
    [[ ${1:-} =~ ^[0-9]+$ ]] || { echo "netns.sh: host number expected, got '${1:-}'" >&2; exit 2; }
    echo "$1"
}

case $command in
up)
    hosts=$(host_index "${3:-}")
    [[ $hosts -ge 1 && $hosts -le 200 ]] || { echo "netns.sh: 1-200 hosts" >&2; exit 2; }
    hub=$(ns 0)
    ip netns add "$hub"
    ip -n "$hub" link set lo up
    ip -n "$hub" link add br0 type bridge
    ip -n "$hub" addr add "$subnet.1/24" dev br0
    ip -n "$hub" link set br0 up
    for i in $(seq 1 "$hosts"); do
        host=$(ns "$i")
        ip netns add "$host"
        ip -n "$host" link set lo up
        # Create the pair inside the hub so that no name is ever taken in the machine's namespace.
        ip -n "$hub" link add "v$i" type veth peer name eth0 netns "$host"
        ip -n "$hub" link set "v$i" master br0
        ip -n "$hub" link set "v$i" up
        ip -n "$host" addr add "$subnet.$((i + 1))/24" dev eth0
        ip -n "$host" link set eth0 up
    done
    ;;
down)
    for n in $(ip netns list | awk '{print $1}'); do
        if [[ $n == "$name-hub" || $n =~ ^$name-h[0-9]+$ ]]; then ip netns del "$n"; fi
    done
    ;;
cut | heal)
    i=$(host_index "${3:-}")
    state=down
    [[ $command == heal ]] && state=up
    ip -n "$(ns 0)" link set "v$i" "$state"
    ;;
addr)
    i=$(host_index "${3:-}")
    echo "$subnet.$((i + 1))"
    ;;
exec)
    i=$(host_index "${3:-}")
    shift 3
    exec ip netns exec "$(ns "$i")" "$@"
    ;;
*)
    usage
    ;;
esac
