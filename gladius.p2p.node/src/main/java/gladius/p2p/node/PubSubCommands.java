package gladius.p2p.node;

import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import gladius.p2p.pubsub.PubSub;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gladius pub NODE TOPIC TEXT} and {@code gladius sub NODE TOPIC}: each a short-lived node
 * of its own, running the pubsub plugin (and discovery when it is on the module path, to meet more
 * of the network than NODE), that joins through NODE (a running node) and publishes or subscribes
 * itself: NODE is a peer like any other, never asked to act for the command.
 */
final class PubSubCommands {

    private PubSubCommands() {}

    /** What both share: the node to join through, settings. */
    abstract static class Base implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NODE", description = "A running node: HOST:PORT, or KEYHEX@HOST:PORT (secure).",
                converter = Contacts.Converter.class)
        Contacts node;

        @Parameters(index = "1", paramLabel = "TOPIC", description = "The topic: 1 to 255 bytes of UTF-8.")
        String topic;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A setting for this short-lived node (repeatable), "
                + "such as kcp.secure=true to join a secure network through a node named without its key.")
        List<String> pairs = new ArrayList<>();

        /** The settings of the short-lived node. */
        Map<String, String> settings() {
            Map<String, String> settings = new HashMap<>(NodeSettings.build(null, pairs));
            if (Parts.has("gladius.p2p.discovery")) {
                settings.put("plugins", "pubsub,discovery");
                settings.put("discovery.seeds", node.toString());
            } else {
                settings.put("plugins", "pubsub");
            }
            if (node.key().isPresent()) {
                settings.putIfAbsent("kcp.secure", "true"); // a key is checked by a secure handshake
            }
            NodeSettings.checkNamespaces(settings);
            return settings;
        }

        /** A node of its own, listening, with NODE added (its key pinned if given). */
        Network start() {
            if (!Parts.pubsub()) {
                throw new UserError("no pubsub plugin (gladius.p2p.pubsub) on the module path");
            }
            Network network = Networks.create(settings());
            try {
                Networks.listen(network, new NodeAddress(node.address().host().contains(":") ? "::" : "0.0.0.0", 0));
                Networks.add(network, node);
                return network;
            } catch (RuntimeException e) {
                network.close();
                throw e;
            }
        }

        static PubSub pubsub(Network network) {
            return network.plugin(PubSub.class).orElseThrow(() -> new UserError("no pubsub plugin (gladius.p2p.pubsub) on the module path"));
        }

        /** Why no peer was found, for the error line. */
        static String hint(Network network) {
            return network.networkState().sessionsRefused() > 0 ? " (it refused the session: a secure node? add --set kcp.secure=true)" : "";
        }
    }

    @Command(name = "pub", mixinStandardHelpOptions = true,
            description = {"Publish TEXT to TOPIC, as a short-lived node that joins through NODE (a running node's HOST:PORT, "
                    + "or KEYHEX@HOST:PORT for a secure one that must prove that key).",
                    "Waits until a peer that subscribes to TOPIC is known (NODE, or one met through it), publishes, and prints "
                    + "the message's ID and how many peers it went to. Exit 1 if no subscriber was found within --timeout, "
                    + "or the message was still queued when the node closed (it waits a few round trips after it left)."})
    static final class Pub extends Base {
        @Parameters(index = "2", paramLabel = "TEXT", description = "The message, as UTF-8 text (with --hex, hex digits).")
        String text;

        @Option(names = "--hex", description = "TEXT is hex digits.")
        boolean hex;

        @Option(names = "--timeout", paramLabel = "DURATION", description = "How long to wait for a subscriber. Default: ${DEFAULT-VALUE}.",
                defaultValue = "10s", converter = Durations.class)
        Duration timeout;

        @Override
        public Integer call() throws InterruptedException {
            byte[] data;
            try {
                data = hex ? HexFormat.of().parseHex(text) : text.getBytes(StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new UserError("TEXT: " + e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Network network = start();
            try {
                PubSub pubsub = pubsub(network);
                long deadline = System.nanoTime() + timeout.toNanos();
                List<NodeAddress> subscribers = subscribersKnown(pubsub, deadline);
                if (subscribers.isEmpty()) {
                    err.println("gladius: no subscriber of " + Terminal.safe(topic) + " known through " + node + " within "
                            + timeout.toMillis() + " ms" + hint(network));
                    return 1;
                }
                PubSub.Published published;
                try {
                    published = Networks.await(pubsub.publish(topic, data), deadline);
                } catch (IllegalArgumentException e) {
                    throw new UserError("TEXT: " + e.getMessage());
                }
                int unsent = lingerUntilSent(network, subscribers, System.nanoTime() + timeout.toNanos());
                if (unsent > 0) {
                    err.println("gladius: " + unsent + " messages still queued for the subscribers when the node closed: the publish may"
                            + " not have arrived");
                    return 1;
                }
                out.println(HexFormat.of().formatHex(published.id()) + " to " + published.peers() + " peers");
                out.flush();
                return 0;
            } catch (TimeoutException e) {
                err.println("gladius: no answer within " + timeout.toMillis() + " ms");
                return 1;
            } finally {
                network.close();
            }
        }

        /** The topic's known subscribers, asked for; a topic the plugin refuses is the user's to fix. */
        private java.util.concurrent.CompletableFuture<List<NodeAddress>> subscribers(PubSub pubsub) {
            try {
                return pubsub.subscribers(topic);
            } catch (IllegalArgumentException e) {
                throw new UserError("TOPIC: " + e.getMessage());
            }
        }

        /** Waits until a peer that subscribes to the topic is known; returns those known then (none by the deadline: empty). */
        private List<NodeAddress> subscribersKnown(PubSub pubsub, long deadline) throws InterruptedException {
            do {
                try {
                    List<NodeAddress> known = Networks.await(subscribers(pubsub), deadline);
                    if (!known.isEmpty()) {
                        return known;
                    }
                } catch (TimeoutException late) {
                    return List.of();
                }
            } while (pause(deadline));
            return List.of();
        }

        /**
         * Waits until no subscriber the message went to has a message queued, then for a few of
         * their round trips more (at least 300 ms) so a lost datagram can be sent again before the
         * node closes: closing drops what is unacknowledged. Returns the messages still queued for
         * them then. (Other peers' queues are not this command's: discovery may have added nodes it
         * cannot reach, behind NATs, whose first messages wait for a session that never comes.)
         */
        private static int lingerUntilSent(Network network, List<NodeAddress> to, long deadline) throws InterruptedException {
            while (queued(network, to) > 0 && pause(deadline)) {
                // waiting for the queues to drain
            }
            long rtt = to.stream().map(network::peerState).flatMap(java.util.Optional::stream).map(PeerState::smoothedRtt)
                    .mapToLong(Duration::toMillis).max().orElse(0);
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(300, 4 * rtt));
            while (pause(Math.min(until, deadline))) {
                // acknowledgements on their way
            }
            return queued(network, to);
        }

        private static int queued(Network network, List<NodeAddress> to) {
            return to.stream().map(network::peerState).flatMap(java.util.Optional::stream).mapToInt(PeerState::queuedMessages).sum();
        }
    }

    @Command(name = "sub", mixinStandardHelpOptions = true,
            description = {"Subscribe to TOPIC as a short-lived node that joins through NODE (a running node's HOST:PORT, "
                    + "or KEYHEX@HOST:PORT for a secure one that must prove that key), and print each message as one line "
                    + "as it arrives, until interrupted (or --count messages, or --for).",
                    "A message's control characters are escaped, so one message stays one line."})
    static final class Sub extends Base {
        @Option(names = "--hex", description = "Print each message as hex digits.")
        boolean hex;

        @Option(names = "--count", paramLabel = "N", description = "Exit after N messages (exit 1 if --for ends first).")
        Integer count;

        @Option(names = "--for", paramLabel = "DURATION", description = "Exit after this long (default: until interrupted).",
                converter = Durations.class)
        Duration duration;

        @Mixin
        Lifecycle lifecycle;

        @Override
        public Integer call() throws InterruptedException {
            if (count != null && count < 1) {
                throw new UserError("--count must be 1 or more, not " + count);
            }
            PrintWriter out = spec.commandLine().getOut();
            Network network = start();
            AtomicInteger printed = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(1);
            lifecycle.manage(() -> List.of(network));
            try {
                lifecycle.serve(spec.commandLine().getErr(), "gladius: "); // standard output is the messages'
                try {
                    pubsub(network).subscribe(topic, delivery -> {
                        // The handler runs on the plugin thread, one message at a time: lines never interleave.
                        byte[] data = delivery.data();
                        out.println(hex ? HexFormat.of().formatHex(data) : Terminal.safe(new String(data, StandardCharsets.UTF_8)));
                        out.flush();
                        if (count != null && printed.incrementAndGet() >= count) {
                            done.countDown();
                        }
                    });
                } catch (IllegalArgumentException e) {
                    throw new UserError("TOPIC: " + e.getMessage()); // the plugin's own check of the topic
                }
                long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
                while (done.getCount() > 0 && System.nanoTime() < deadline) {
                    if (lifecycle.awaitStop(Math.min(100, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)), TimeUnit.MILLISECONDS)) {
                        return 0; // interrupted: the way a subscription usually ends
                    }
                }
                return count != null && done.getCount() > 0 ? 1 : 0;
            } finally {
                lifecycle.close();
            }
        }
    }

    /** Waits 50 ms, or until the deadline if sooner; false once the deadline has passed. */
    static boolean pause(long deadline) throws InterruptedException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
        return true;
    }
}
