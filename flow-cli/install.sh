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
# shell completion (picocli's generated script): bash-completion loads it on demand from this directory; zsh
# sources the same script through bashcompinit
install -d "$prefix/share/bash-completion/completions"
"$prefix/bin/flow" completion bash > "$prefix/share/bash-completion/completions/flow"
"$prefix/bin/flow" completion zsh > "$prefix/share/flow/completion.zsh"
echo "Installed: $prefix/bin/flow (jar in $prefix/share/flow). Try: flow --help"
echo "Completion: bash loads $prefix/share/bash-completion/completions/flow (bash-completion);" \
  "zsh: add 'source $prefix/share/flow/completion.zsh' to ~/.zshrc"
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "Add $prefix/bin to your PATH." ;; esac
