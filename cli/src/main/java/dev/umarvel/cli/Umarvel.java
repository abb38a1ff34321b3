package dev.umarvel.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code umarvel} command line. */
@Command(showDefaultValues = true, name = "umarvel", mixinStandardHelpOptions = true, version = "umarvel 0.1.0",
        description = "Universal multimodal retrieval: data, training, evaluation and search.",
        subcommands = {DataCommand.class, TrainCommand.class, EvalCommand.class, FindingsCommand.class, SearchCommand.class, CollectionCommand.class, DistillCommand.class, QuickstartCommand.class, SecurityCommand.class, ModelCommand.class, CommandLine.HelpCommand.class})
public final class Umarvel {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (0 ok, 1 failed, 2 usage error). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Umarvel());
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            command.getErr().println("umarvel: " + message(e));
            if (Boolean.getBoolean("umarvel.debug")) {
                e.printStackTrace(command.getErr());
            }
            return 1;
        });
        return cli.execute(args);
    }

    /** What went wrong, in words: file-system errors carry only a path as their message, which says nothing alone. */
    static String message(Throwable e) {
        if (e instanceof java.nio.file.NoSuchFileException f) {
            return "no such file: " + f.getFile();
        }
        if (e instanceof java.nio.file.AccessDeniedException f) {
            return "permission denied: " + f.getFile();
        }
        if (e instanceof java.nio.file.FileSystemException f) {
            return f.getFile() + ": " + (f.getReason() == null ? e.getClass().getSimpleName() : f.getReason());
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
