package gladius.p2p.node;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level {@code gladius} command. */
@Command(name = "gladius", mixinStandardHelpOptions = true, versionProvider = GladiusCommand.Version.class,
        subcommands = {RunCommand.class, DemoCommand.class, StatusCommand.class, KeyCommand.class, DhtCommand.class,
                PubSubCommands.Pub.class, PubSubCommands.Sub.class,
                CommandLine.HelpCommand.class},
        description = {"Gladius P2P: run a node, a local demo cluster, ask a node for its status, or print a secure node's key.",
                "Plugins are found on the module path and in the image's plugins/ folder ($GLADIUS_PLUGINS)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done (demo: everything converged)", "1:failed (demo: did not converge; status: no answer)",
                "2:a usage error: a flag, a setting, a file, a port in use",
                "143:run stopped by SIGTERM after a clean shutdown (the JVM's 128 + 15; 130 for SIGINT)"})
final class GladiusCommand {

    /** The module's version, as the build wrote it into the descriptor. */
    static final class Version implements picocli.CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"gladius " + GladiusCommand.class.getModule().getDescriptor().rawVersion().orElse("(development)")};
        }
    }
}
