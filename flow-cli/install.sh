#!/usr/bin/env bash
# One-command install of the `flow` CLI from this repository: builds the single jar, then puts it in
# ~/.local/share/flow/ and the `flow` launcher in ~/.local/bin/ (PREFIX=/usr/local for a system-wide install).
set -euo pipefail
repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
prefix="${PREFIX:-$HOME/.local}"
(cd "$repo" && ./mvnw -B -q -pl flow-cli -am package -DskipTests)
install -d "$prefix/bin" "$prefix/share/flow"
install -m 0644 "$repo/flow-cli/target/flow.jar" "$prefix/share/flow/flow.jar"
install -m 0755 "$repo/flow-cli/flow" "$prefix/bin/flow"
echo "Installed: $prefix/bin/flow (jar in $prefix/share/flow). Try: flow --help"
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "Add $prefix/bin to your PATH." ;; esac
