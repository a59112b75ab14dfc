package gladius.p2p.node;

import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gladius run}: one node, every plugin found, a status line every few seconds, until SIGINT or SIGTERM. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run one node until interrupted (Ctrl-C or SIGTERM).", sortOptions = false)
final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Where to listen (UDP). Default: ${DEFAULT-VALUE}.",
            defaultValue = "0.0.0.0:7000", converter = Addresses.class)
    NodeAddress listen;

    @Option(names = "--seed", paramLabel = "[KEY@]HOST:PORT", description = "A node to start from (repeatable): added, and given to "
            + "discovery. In a secure network give its key (KEYHEX@HOST:PORT, what it prints at start): a node that proves "
            + "another key there is refused.", converter = Contacts.Converter.class)
    List<Contacts> seeds = new ArrayList<>();

    @Option(names = "--config", paramLabel = "FILE", description = "Settings from a properties file.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A setting of any part, such as kcp.keepalive=2s (repeatable; wins over --config).")
    List<String> pairs = new ArrayList<>();

    @Option(names = "--relay", description = "Relay for peers that cannot reach each other directly (behind NATs): "
            + "the same as --set kcp.relay=true; its limits are kcp.relay-circuits and kcp.relay-bytes-per-second.")
    boolean relay;

    @Option(names = "--data", paramLabel = "DIR", description = "Keep what this node remembers across restarts in DIR: "
            + "a secure node's key (node.key, made on the first start, unless kcp.node-key is set) and the DHT's records "
            + "and routing table (dht/, as --set dht.data-dir=DIR/dht), so a restarted node is the same node and rejoins without its seeds.")
    Path data;

    @Mixin
    Lifecycle lifecycle;

    @Option(names = "--key-file", paramLabel = "FILE", description = "A file holding this node's Ethereum private key in hex.")
    Path keyFile;

    @Option(names = "--keystore", paramLabel = "FILE", description = "A Web3 Secret Storage (v3) keystore for this node's key; "
            + "its password from --password-file or $GLADIUS_KEYSTORE_PASSWORD.")
    Path keystore;

    @Option(names = "--password-file", paramLabel = "FILE", description = "A file holding the keystore's password.")
    Path passwordFile;

    @Option(names = "--put", paramLabel = "KEY=VALUE", description = "Publish a signed state entry at start (repeatable).")
    List<String> puts = new ArrayList<>();

    @Option(names = "--status-every", paramLabel = "DURATION", description = "Time between status lines. Default: ${DEFAULT-VALUE}.",
            defaultValue = "5s", converter = Durations.class)
    Duration statusEvery;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, String> settings = NodeSettings.build(config, pairs);
        NodeSettings.addSeeds(settings, seeds);
        if (relay) {
            settings.put("kcp.relay", "true");
        }
        keySettings(settings);
        if (data != null) {
            dataSettings(settings);
        }
        NodeSettings.checkNamespaces(settings);
        for (Contacts seed : seeds) {
            if (seed.key().isPresent() && !"true".equals(settings.get("kcp.secure"))) {
                throw new UserError("--seed " + seed + " names a key, which only a secure node can check: add --set kcp.secure=true, "
                        + "or give the seed as HOST:PORT");
            }
        }
        // Every --put is checked before anything is bound: a mistake costs no port and no half-started node.
        for (String put : puts) {
            if (put.indexOf('=') <= 0) {
                throw new UserError("--put wants key=value, not '" + put + "'");
            }
            if (!Parts.ethstate()) {
                throw new UserError("--put needs the ethstate plugin, which is not on the module path");
            }
        }

        Network network = Networks.create(settings);
        lifecycle.manage(() -> List.of(network));
        try {
            network.registerPlugin(new StatusResponder());
            Networks.listen(network, listen);
            for (Contacts seed : seeds) {
                Networks.add(network, seed);
            }
            out.println("gladius: listening on " + network.localAddress());
            lifecycle.serve(out, "gladius: ");
            network.networkState().key().ifPresent(key -> out.println("gladius: node key " + key + ": others reach it as "
                    + key + "@" + listen + " (--seed) and list it in kcp.allow-keys; keep it with --set kcp.node-key=FILE (gladius key)"));
            if (Parts.ethstate()) {
                EthStateView.address(network).ifPresent(address -> out.println("gladius: ethereum address " + address));
            }
            for (String put : puts) {
                int eq = put.indexOf('=');
                EthStateView.put(network, put.substring(0, eq), put.substring(eq + 1));
            }
            out.flush();
            while (!lifecycle.awaitStop(statusEvery.toMillis(), TimeUnit.MILLISECONDS)) {
                out.println("gladius: " + Report.line(network));
                out.flush();
            }
            out.println("gladius: stopping: closing plugins, telling peers, closing the socket");
            out.flush();
            return 0;
        } finally {
            lifecycle.close();
        }
    }

    /** --data: the node key and the DHT's data directory under one folder, unless settings name their own. */
    private void dataSettings(Map<String, String> settings) {
        try {
            java.nio.file.Files.createDirectories(data);
        } catch (java.io.IOException e) {
            throw new UserError("--data " + data + ": cannot make the folder (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        if ("true".equals(settings.get("kcp.secure")) && !settings.containsKey("kcp.node-key")) {
            Path key = data.resolve("node.key");
            if (!java.nio.file.Files.exists(key)) {
                KeyCommand.writeNewKey(key, "--data");
            }
            settings.put("kcp.node-key", key.toString());
        }
        if (Parts.dht()) {
            settings.putIfAbsent("dht.data-dir", data.resolve("dht").toString());
        }
    }

    /** --key-file, --keystore and --password-file are shorthands for ethstate's settings. */
    private void keySettings(Map<String, String> settings) {
        if (keyFile != null && keystore != null) {
            throw new UserError("--key-file and --keystore both name a key: choose one");
        }
        if (keyFile != null) {
            settings.put("ethstate.private-key", NodeSettings.readSecretFile(keyFile, "key file"));
        }
        if (keystore != null) {
            settings.put("ethstate.keystore", keystore.toString());
            String password = passwordFile != null ? NodeSettings.readSecretFile(passwordFile, "password file")
                    : System.getenv("GLADIUS_KEYSTORE_PASSWORD");
            if (password == null) {
                throw new UserError("--keystore needs its password: --password-file FILE or $GLADIUS_KEYSTORE_PASSWORD");
            }
            settings.put("ethstate.password", password);
        } else if (passwordFile != null) {
            throw new UserError("--password-file is for --keystore, which is not given");
        }
    }
}
