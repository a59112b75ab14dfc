package gladius.p2p.node;

import gladius.p2p.Contact;
import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.Plugin;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gladius status host:port}: asks a running node for its peers and figures (and with
 * {@code --entries} its signed entries), over the network itself.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Ask a running node for its peers and counters, and with --entries its signed state entries.")
final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "[KEY@]HOST:PORT", description = "The node to ask; with its key (KEYHEX@HOST:PORT) only a node "
            + "that proves that key is asked (secure).", converter = Contacts.Converter.class)
    Contacts target;
    private NodeAddress node;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "How long to wait for the answer. Default: ${DEFAULT-VALUE}.",
            defaultValue = "5s", converter = Durations.class)
    Duration timeout;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A setting for the asking node, such as "
            + "kcp.node-key=FILE for a node with an allow-list (repeatable). Without kcp.secure, plain is tried, then secure.")
    java.util.List<String> pairs = new java.util.ArrayList<>();

    @Option(names = "--entries", description = "Also list the node's signed state entries (ethstate).")
    boolean entries;

    @Override
    public Integer call() throws InterruptedException {
        node = target.address();
        Map<String, String> settings = new java.util.HashMap<>(NodeSettings.build(null, pairs));
        settings.put("plugins", "none");
        NodeSettings.checkNamespaces(settings);
        if (target.key().isPresent()) {
            settings.putIfAbsent("kcp.secure", "true"); // a key is checked by a secure handshake, and only by one
        }
        boolean chosen = settings.containsKey("kcp.secure");
        Integer code;
        if (chosen) {
            code = ask(settings, false);
        } else {
            // Plain first: a secure node refuses that session, and the transport logs each refusal as a
            // WARNING, which here is the expected answer, not a problem to show the user.
            java.util.logging.Logger transport = java.util.logging.Logger.getLogger("gladius.p2p.kcp");
            java.util.logging.Level before = transport.getLevel();
            transport.setLevel(java.util.logging.Level.SEVERE);
            try {
                code = ask(settings, true);
            } finally {
                transport.setLevel(before);
            }
        }
        if (code == null) {
            // The node refused a plain session: it is kcp.secure, so ask again the way it speaks.
            settings.put("kcp.secure", "true");
            code = ask(settings, false);
        }
        return code;
    }

    /** Asks once; null if the node refused the session and the caller may try the other mode. */
    private Integer ask(Map<String, String> settings, boolean mayRetry) throws InterruptedException {
        CompletableFuture<String> answer = new CompletableFuture<>();
        try (Network network = Networks.create(settings)) {
            network.registerPlugin(new Plugin() {
                @Override
                public void newMessage(Message message) {
                    if (message.type().equals(StatusResponder.REPLY) && message.sender().port() == node.port()) {
                        answer.complete(new String(message.bodyBytes(), StandardCharsets.UTF_8));
                    }
                }
            });
            Networks.listen(network, new NodeAddress(node.host().contains(":") ? "::" : "0.0.0.0", 0));
            try {
                if (target.key().isPresent()) {
                    network.add(new Contact(target.key().get(), node)); // pinned: a node that proves another key is refused
                }
                byte[] request = entries ? StatusResponder.WITH_ENTRIES.getBytes(StandardCharsets.UTF_8) : new byte[0];
                network.broadcast(network.newMessage(StatusResponder.REQUEST, request), node);
            } catch (IllegalArgumentException e) {
                throw new UserError(node + ": " + e.getMessage());
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!answer.isDone() && System.nanoTime() < deadline) {
                if (mayRetry && network.networkState().sessionsRefused() > 0) {
                    return null;
                }
                if (target.key().isPresent() && network.networkState().sessionsRefused() > 0) {
                    spec.commandLine().getErr().println("gladius: the node at " + node + " did not prove the key " + target.key().get());
                    return 1;
                }
                try {
                    answer.get(20, TimeUnit.MILLISECONDS);
                } catch (TimeoutException notYet) {
                    // keep waiting, and watching for a refusal
                }
            }
            // The answer is the other node's text: printed with nothing a terminal would act on.
            spec.commandLine().getOut().print(Terminal.safeLines(answer.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)));
            spec.commandLine().getOut().flush();
            return 0;
        } catch (TimeoutException e) {
            spec.commandLine().getErr().println("gladius: no answer from " + node + " within " + timeout.toMillis() + " ms");
            return 1;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }
}
