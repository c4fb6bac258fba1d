#!/usr/bin/env bash
# Sourced by start-workers.sh and stop-workers.sh: the ssh command line they run, as the array
# `ssh_command`: $SSH (default ssh) in batch mode with a connect timeout, then $SSH_OPTS.
# shellcheck disable=SC2034  # used by the scripts that source this file
ssh_command=("${SSH:-ssh}" -o BatchMode=yes -o ConnectTimeout=10)
if [[ -n "${SSH_OPTS:-}" ]]; then
    read -r -a more_ssh_options <<< "$SSH_OPTS"
    ssh_command+=("${more_ssh_options[@]}")
fi
