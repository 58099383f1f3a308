#!/usr/bin/env bash
# `docker` inside shell commands on an emulated Mithril instance (pipes, $(...), loops), where the emulator's built-in
# docker cannot be used. It reads container main's state and log from the instance directory: there is no Docker here.
set -u
dir="${FLOW_EMULATOR_INSTANCE_DIR:?not on an emulated instance}"
log="$dir/container-main.log"
state_file="$dir/container-main.state"

no_container() { echo "Error response from daemon: No such container: ${1:-main}" >&2; exit 1; }
state() { cat "$state_file" 2>/dev/null; }

# a log line is "<RFC3339Nano> <stdout|stderr> <text>"
render='{ i = index($0, " "); ts = substr($0, 1, i - 1); rest = substr($0, i + 1);
          j = index(rest, " "); st = substr(rest, 1, j - 1); text = substr(rest, j + 1);
          if (since != "" && ts < since) next;
          out = (stamps ? ts " " : "") text;
          if (st == "stderr") { print out > "/dev/stderr"; fflush("/dev/stderr") } else { print out; fflush() } }'

cmd="${1:-}"; shift || true
case "$cmd" in
  logs)
    tail_n=all; follow=0; stamps=0; since=""; name=""
    while [ $# -gt 0 ]; do
      case "$1" in
        --tail|-n) tail_n="$2"; shift ;;
        --tail=*) tail_n="${1#--tail=}" ;;
        -f|--follow) follow=1 ;;
        -t|--timestamps) stamps=1 ;;
        -ft|-tf) follow=1; stamps=1 ;;
        --since) since="$2"; shift ;;
        --since=*) since="${1#--since=}" ;;
        -*) echo "unknown flag: $1" >&2; exit 1 ;;
        *) name="$1" ;;
      esac
      shift
    done
    [ "$name" = main ] && [ -f "$log" ] || no_container "$name"
    [ "$tail_n" = all ] && tail_n=+1
    pid=$(state | awk '$1 == "running" { print $2 }')
    if [ "$follow" = 1 ] && [ -n "$pid" ]; then
      tail -n "$tail_n" -F --pid="$pid" "$log" 2>/dev/null | awk -v stamps="$stamps" -v since="$since" "$render"
    else
      tail -n "$tail_n" "$log" | awk -v stamps="$stamps" -v since="$since" "$render"
    fi
    ;;
  wait)
    [ "${1:-}" = main ] && [ -f "$state_file" ] || no_container "${1:-}"
    while state | grep -q '^running'; do sleep 0.2; done
    state | awk '{ print $2 }'
    ;;
  inspect)
    format=""; name=""
    while [ $# -gt 0 ]; do
      case "$1" in
        -f|--format) format="$2"; shift ;;
        --format=*) format="${1#--format=}" ;;
        *) name="$1" ;;
      esac
      shift
    done
    [ "$name" = main ] && [ -f "$state_file" ] || no_container "$name"
    read -r status value < "$state_file"
    if [ "$status" = running ]; then running=true; code=0; st=running; else running=false; code="$value"; st=exited; fi
    image=$(cat "$dir/container-main.image" 2>/dev/null)
    if [ -z "$format" ]; then
      printf '[{"Name":"/main","State":{"Status":"%s","Running":%s,"ExitCode":%s},"Config":{"Image":"%s"}}]\n' \
        "$st" "$running" "$code" "$image"
    else
      out="${format//\{\{.State.ExitCode\}\}/$code}"
      out="${out//\{\{.State.Running\}\}/$running}"
      out="${out//\{\{.State.Status\}\}/$st}"
      out="${out//\{\{.Config.Image\}\}/$image}"
      printf '%s\n' "$out"
    fi
    ;;
  ps)
    if [ -f "$state_file" ] && { state | grep -q '^running' || [[ " $* " == *" -a "* ]]; }; then
      echo main
    fi
    ;;
  *)
    echo "docker: '$cmd' is not supported by the Mithril emulator" >&2; exit 1 ;;
esac
