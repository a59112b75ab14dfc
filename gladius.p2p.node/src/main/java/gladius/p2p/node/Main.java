package gladius.p2p.node;

import java.io.PrintWriter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;

/**
 * Entry point of the {@code gladius} command. Loads the plugin folder first (so every command
 * sees those plugins), then runs the command. A mistake the user can fix prints one line and
 * exits 2; it never prints a stack trace.
 */
public final class Main {

    private Main() {}

    /**
     * Runs the command and exits with its code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** The command prints what matters itself; the parts' log lines show from WARNING, or from $GLADIUS_LOG (e.g. INFO). */
    private static void quietLogging() {
        String wanted = System.getenv("GLADIUS_LOG");
        Level level = Level.WARNING;
        if (wanted != null && !wanted.isBlank()) {
            try {
                level = Level.parse(wanted.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                System.err.println("gladius: GLADIUS_LOG must be a level such as INFO or FINE; using WARNING");
            }
        }
        Logger root = Logger.getLogger("");
        root.setLevel(level);
        for (Handler handler : root.getHandlers()) {
            handler.setLevel(level);
        }
    }

    static int run(String... args) {
        CommandLine commandLine = new CommandLine(new GladiusCommand());
        return run(commandLine.getOut(), commandLine.getErr(), args);
    }

    /** As {@link #run(String...)}, printing to these writers (for tests). */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        quietLogging();
        CommandLine commandLine = new CommandLine(new GladiusCommand()).setOut(out).setErr(err);
        try {
            PluginFolder.load(PluginFolder.folder());
        } catch (UserError e) {
            err.println("gladius: " + e.getMessage());
            err.flush();
            return 2;
        }
        commandLine.setParameterExceptionHandler((e, arguments) -> {
            CommandLine at = e.getCommandLine();
            at.getErr().println("gladius: " + e.getMessage() + " (see: gladius " + at.getCommandName().replace("gladius", "").trim()
                    + " --help)");
            at.getErr().flush();
            return 2;
        });
        commandLine.setExecutionExceptionHandler((e, at, parsed) -> {
            if (e instanceof UserError) {
                at.getErr().println("gladius: " + e.getMessage());
                at.getErr().flush();
                return 2;
            }
            throw e;
        });
        return commandLine.execute(args);
    }
}
