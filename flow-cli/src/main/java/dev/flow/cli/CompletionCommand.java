package dev.flow.cli;

import java.util.concurrent.Callable;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "completion", description = {
        "Print the shell completion script (picocli's generator) for bash or zsh.",
        "bash: source <(flow completion bash)    zsh: source <(flow completion zsh)",
        "flow-cli/install.sh installs it for bash-completion and prints the zsh line."})
final class CompletionCommand implements Callable<Integer> {

    enum Shell { bash, zsh }

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SHELL", description = "bash or zsh")
    Shell shell;

    @Override
    public Integer call() {
        // one script serves both: picocli's generated script loads zsh's bashcompinit when run by zsh
        String script = AutoComplete.bash("flow", spec.root().commandLine());
        if (shell == Shell.zsh) {
            script = "# zsh: uses bash completion through bashcompinit (loaded below when needed)\n" + script;
        }
        spec.commandLine().getOut().print(script);
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
