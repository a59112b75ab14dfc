package gladius.p2p.node;

import gladius.p2p.Contact;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.NodeKey;
import gladius.p2p.dht.DhtRecord;
import gladius.p2p.dht.DhtService;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gladius dht put|get|find NODE ...}: each a short-lived node of its own, running only the
 * DHT plugin, that joins the DHT through NODE (a running node) and does the work itself: NODE is
 * asked for nodes, never to act for the command (no node signs or stores on another's behalf).
 * A record's writer is the command's key ({@code --node-key FILE}, or a fresh one per run, which
 * can then never be updated); its path {@code WRITERHEX/NAME} is what {@code get} takes.
 */
@Command(name = "dht", mixinStandardHelpOptions = true,
        description = {"Put, get and find in the DHT, as a short-lived node that joins through NODE (a running node's HOST:PORT,",
                "or KEYHEX@HOST:PORT for a secure one that must prove that key)."},
        subcommands = {DhtCommand.Put.class, DhtCommand.Get.class, DhtCommand.Find.class})
final class DhtCommand {

    /** What the three share: the node to join through, the time to wait, settings. */
    abstract static class Base implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NODE", description = "A running node: HOST:PORT, or KEYHEX@HOST:PORT (secure).",
                converter = Contacts.Converter.class)
        Contacts node;

        @Option(names = "--timeout", paramLabel = "DURATION", description = "How long to wait. Default: ${DEFAULT-VALUE}.",
                defaultValue = "20s", converter = Durations.class)
        Duration timeout;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A setting for this short-lived node (repeatable), "
                + "such as kcp.secure=true to join a secure network through a node named without its key.")
        List<String> pairs = new ArrayList<>();

        /** The settings of the short-lived node. */
        Map<String, String> settings() {
            Map<String, String> settings = new HashMap<>(NodeSettings.build(null, pairs));
            settings.put("plugins", "dht");
            settings.put("dht.seeds", node.address().toString());
            if (node.key().isPresent()) {
                settings.putIfAbsent("kcp.secure", "true"); // a key is checked by a secure handshake
            }
            NodeSettings.checkNamespaces(settings);
            return settings;
        }

        @Override
        public Integer call() throws InterruptedException {
            try (Network network = Networks.create(settings())) {
                DhtService dht = network.plugin(DhtService.class)
                        .orElseThrow(() -> new UserError("no DHT plugin (gladius.p2p.dht) on the module path"));
                Networks.listen(network, new NodeAddress(node.address().host().contains(":") ? "::" : "0.0.0.0", 0));
                if (node.key().isPresent()) {
                    network.add(new Contact(node.key().get(), node.address())); // pinned: another key is refused
                }
                long deadline = System.nanoTime() + timeout.toNanos();
                int known = Networks.await(dht.joined(), deadline);
                if (known == 0) {
                    spec.commandLine().getErr().println("gladius: no DHT node answered at " + node + " within "
                            + timeout.toMillis() + " ms" + (network.networkState().sessionsRefused() > 0
                            ? " (it refused the session: a secure node? add --set kcp.secure=true)" : ""));
                    return 1;
                }
                return run(dht, deadline, spec.commandLine().getOut(), spec.commandLine().getErr());
            } catch (TimeoutException e) {
                spec.commandLine().getErr().println("gladius: the DHT did not answer within " + timeout.toMillis() + " ms");
                return 1;
            }
        }

        abstract int run(DhtService dht, long deadline, PrintWriter out, PrintWriter err)
                throws InterruptedException, TimeoutException;
    }

    @Command(name = "put", mixinStandardHelpOptions = true,
            description = "Sign a record NAME=VALUE with this command's key and store it on the nodes closest to it; "
                    + "prints its path (WRITERHEX/NAME) and how many nodes hold it. Exit 1 if none does.")
    static final class Put extends Base {
        @Parameters(index = "1", paramLabel = "NAME", description = "The record's name: 1 to 255 bytes of UTF-8.")
        String name;

        @Parameters(index = "2", paramLabel = "VALUE", description = "The value, as UTF-8 text (with --hex, hex digits).")
        String value;

        @Option(names = "--hex", description = "VALUE is hex digits.")
        boolean hex;

        @Option(names = "--node-key", paramLabel = "FILE|HEX", description = "The writer's secret key (as kcp.node-key "
                + "takes it: a file holding 64 hex digits, or the digits); without it a fresh key, so the record can never be updated.")
        String nodeKey;

        @Override
        Map<String, String> settings() {
            Map<String, String> settings = super.settings();
            if (nodeKey != null) {
                settings.put("dht.key", nodeKey);
            }
            return settings;
        }

        @Override
        int run(DhtService dht, long deadline, PrintWriter out, PrintWriter err) throws InterruptedException, TimeoutException {
            byte[] bytes;
            try {
                DhtRecord.checkName(name);
                bytes = hex ? HexFormat.of().parseHex(value) : value.getBytes(StandardCharsets.UTF_8);
                DhtService.Stored stored = Networks.await(dht.put(name, bytes), deadline);
                out.println(stored.record().path() + " #" + stored.record().sequence() + " stored on " + stored.nodes() + " nodes");
                if (nodeKey == null) {
                    err.println("gladius: signed with a fresh key; to update the record later, put it with --node-key FILE");
                }
                out.flush();
                return stored.nodes() > 0 ? 0 : 1;
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage());
            }
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = {"Print the newest valid value of the record at PATH (WRITERHEX/NAME, as put prints it). Exit 1 if none.",
                    "With several PATHs, all are asked at once and each found one is printed as PATH VALUE."})
    static final class Get extends Base {
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "PATH",
                description = "WRITERHEX/NAME: the writer's key (64 hex digits), '/', the name.")
        List<String> paths;

        @Option(names = "--hex", description = "Print the value as hex digits.")
        boolean hex;

        @Override
        int run(DhtService dht, long deadline, PrintWriter out, PrintWriter err) throws InterruptedException, TimeoutException {
            List<CompletableFuture<Optional<DhtRecord>>> asked = new ArrayList<>();
            try {
                for (String path : paths) {
                    asked.add(dht.get(path));
                }
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage());
            }
            int missing = 0;
            for (int i = 0; i < paths.size(); i++) {
                Optional<DhtRecord> record = Networks.await(asked.get(i), deadline);
                if (record.isEmpty()) {
                    err.println("gladius: no valid record at " + Terminal.safe(paths.get(i)));
                    missing++;
                    continue;
                }
                byte[] value = record.get().value();
                // The value is another node's bytes: printed with nothing a terminal would act on.
                String text = hex ? HexFormat.of().formatHex(value) : Terminal.safe(new String(value, StandardCharsets.UTF_8));
                out.println(paths.size() == 1 ? text : paths.get(i) + " " + text);
            }
            out.flush();
            return missing == 0 ? 0 : 1;
        }
    }

    @Command(name = "find", mixinStandardHelpOptions = true,
            description = {"Print the address of the node with key NODEKEY, as its own signed record says (a secure network). "
                    + "Exit 1 if not found.", "With several NODEKEYs, all are looked up at once and each found one is printed as NODEKEY ADDRESS."})
    static final class Find extends Base {
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "NODEKEY", description = "The node's key: 64 hex digits, as gladius key prints it.")
        List<String> keys;

        @Override
        Map<String, String> settings() {
            Map<String, String> settings = super.settings();
            settings.putIfAbsent("kcp.secure", "true"); // nodes are found by the keys their sessions prove
            return settings;
        }

        @Override
        int run(DhtService dht, long deadline, PrintWriter out, PrintWriter err) throws InterruptedException, TimeoutException {
            List<NodeKey> nodeKeys = new ArrayList<>();
            for (String key : keys) {
                try {
                    nodeKeys.add(NodeKey.parse(key));
                } catch (IllegalArgumentException e) {
                    throw new UserError("NODEKEY: " + e.getMessage());
                }
            }
            List<CompletableFuture<Optional<NodeAddress>>> asked = new ArrayList<>();
            for (NodeKey key : nodeKeys) {
                asked.add(dht.find(key));
            }
            int missing = 0;
            for (int i = 0; i < nodeKeys.size(); i++) {
                Optional<NodeAddress> found = Networks.await(asked.get(i), deadline);
                if (found.isEmpty()) {
                    err.println("gladius: no node with key " + nodeKeys.get(i).shortText() + "... found");
                    missing++;
                } else {
                    out.println(nodeKeys.size() == 1 ? found.get().toString() : nodeKeys.get(i) + " " + found.get());
                }
            }
            out.flush();
            return missing == 0 ? 0 : 1;
        }
    }
}
