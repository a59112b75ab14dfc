package gladius.p2p.pubsub.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Many routers on one thread in virtual time, with no transport: what checks pubsub's rules at
 * thousands of nodes in seconds (the unit tests, and a {@code PubSubScale} benchmark to come). Nodes
 * are joined by sessions (both ends know each other as peers); a message from one router reaches
 * another after {@link Latency#oneWayMillis}, or is lost with probability {@code loss}; one seed
 * gives one run. Each node remembers what it was delivered, with when, for the figures.
 */
final class VirtualPubSub {

    /** How long a message takes between two nodes, in milliseconds. */
    @FunctionalInterface
    interface Latency {
        double oneWayMillis(int from, int to, SplittableRandom random);

        /** The round trip between two nodes as a node would have measured it (negative: unknown). */
        default double rttMillis(int from, int to) {
            return -1;
        }

        /** The same for a message of this many bytes (a model of datagrams and their losses may differ by size). */
        default double oneWayMillis(int from, int to, int bytes, SplittableRandom random) {
            return oneWayMillis(from, to, random);
        }
    }

    /** A node of the net: its router, its sessions, and what it was delivered. */
    final class Node {
        final int index;
        final Router<Integer> router;
        final Set<Integer> sessions = new HashSet<>();
        /** Deliveries: each message's ID in hex ({@link #key}), with its delivery time. */
        final Map<String, Long> delivered = new HashMap<>();
        /** The application's verdict on each message (all accepted by default). */
        java.util.function.Function<Router.Message, Router.Validation> validator = m -> Router.Validation.ACCEPT;
        /** A hostile node that drops everything it should pass on: what it sends carries no message (its control frames still go). */
        boolean dropper;
        /** False once crashed: it sends and takes nothing more. */
        boolean up = true;
        /** When its uplink is free again (with {@link #uplink} set). */
        double uplinkFreeAt;
        /** When its next tick is scheduled. */
        long wakeAt = Long.MAX_VALUE;

        Node(int index, Router.Config config, SplittableRandom random) {
            this.index = index;
            this.router = new Router<>(config, new Router.Io<>() {
                @Override
                public void send(Integer peer, byte[] message) {
                    carry(index, peer, message);
                }

                @Override
                public void deliver(Router.Message message) {
                    delivered.merge(java.util.HexFormat.of().formatHex(message.id()), now,
                            (a, b) -> { throw new AssertionError("delivered twice at node " + index); });
                }

                @Override
                public Router.Validation validate(Router.Message message) {
                    return validator.apply(message);
                }

                @Override
                public double rttMillis(Integer peer) {
                    return latency.rttMillis(index, peer);
                }
            }, random);
        }
    }

    /** The key of a message of this topic and data in {@link Node#delivered}. */
    static String key(String topic, byte[] data) {
        return java.util.HexFormat.of().formatHex(Router.idOf(topic, data));
    }

    private record Event(long at, long order, Runnable action) {}

    private final SplittableRandom random;
    private final Router.Config config;
    private final Latency latency;
    private final double loss;
    private final PriorityQueue<Event> events = new PriorityQueue<>(
            Comparator.comparingLong(Event::at).thenComparingLong(Event::order));
    private final List<Node> nodes = new ArrayList<>();
    private long order;
    private long now = 1_800_000_000_000L;
    private long messages;
    private long bytes;
    /** Each node's uplink in bytes per millisecond; 0: unlimited. */
    private double uplinkBytesPerMilli;

    VirtualPubSub(long seed, Router.Config config, Latency latency, double loss) {
        this.random = new SplittableRandom(seed);
        this.config = config;
        this.latency = latency;
        this.loss = loss;
    }

    /** {@code n} nodes, each with sessions to {@code degree} others at random (so about twice that in all), heartbeats running. */
    static VirtualPubSub connected(long seed, Router.Config config, int n, int degree, double millis) {
        return connected(new VirtualPubSub(seed, config, (a, b, r) -> millis, 0), n, degree);
    }

    /** The same on a net of one's own making (its latency and loss). */
    static VirtualPubSub connected(VirtualPubSub net, int n, int degree) {
        for (int i = 0; i < n; i++) {
            net.add();
        }
        for (Node node : net.nodes) {
            while (node.sessions.size() < degree) {
                int other = net.random.nextInt(n);
                if (other != node.index) {
                    net.connect(node, net.nodes.get(other));
                }
            }
        }
        return net;
    }

    Node add() {
        Node node = new Node(nodes.size(), config, random.split());
        nodes.add(node);
        node.router.firstHeartbeatAt(now + random.nextLong(config.heartbeatMillis())); // out of step, as on real nodes
        wake(node);
        return node;
    }

    void connect(Node a, Node b) {
        if (a.sessions.add(b.index)) {
            b.sessions.add(a.index);
            a.router.addPeer(b.index, now);
            b.router.addPeer(a.index, now);
        }
    }

    /**
     * A session of which only {@code a} is told (as a plugin hears of the nodes it added, not of
     * those that dialed it): {@code b} learns of {@code a} from what {@code a} sends.
     */
    void connectOneWay(Node a, Node b) {
        if (a.sessions.add(b.index)) {
            b.sessions.add(a.index);
            a.router.addPeer(b.index, now);
        }
    }

    /**
     * Gives every node an uplink of this many bytes per millisecond: what a node sends goes out one
     * message after the other (a copy to each peer), so large messages and copies cost time at the
     * sender. Downlinks stay unlimited. 0: no limit (the default).
     */
    void uplink(double bytesPerMilli) {
        this.uplinkBytesPerMilli = bytesPerMilli;
    }

    /** A node crashes: every session with it ends (its peers forget it), and nothing reaches it or leaves it again. */
    void crash(Node node) {
        node.up = false;
        for (int peer : node.sessions) {
            Node other = nodes.get(peer);
            other.sessions.remove(node.index);
            other.router.removePeer(node.index, now);
        }
        node.sessions.clear();
    }

    List<Node> nodes() {
        return nodes;
    }

    long now() {
        return now;
    }

    /** Pubsub messages sent so far, and their bytes. */
    long messages() {
        return messages;
    }

    long bytes() {
        return bytes;
    }

    /** Runs events until {@code done} holds or {@code millis} of virtual time passed; true if it held. */
    boolean runUntil(BooleanSupplier done, long millis) {
        long end = now + millis;
        while (!done.getAsBoolean()) {
            Event next = events.peek();
            if (next == null || next.at > end) {
                now = end;
                return done.getAsBoolean();
            }
            events.poll();
            now = Math.max(now, next.at);
            next.action.run();
        }
        return true;
    }

    /** Runs {@code millis} of virtual time. */
    void run(long millis) {
        runUntil(() -> false, millis);
    }

    /** Schedules the node's next tick for its router's next deadline, if that is sooner than the one scheduled. */
    private void wake(Node node) {
        long at = Math.max(now, node.router.nextDeadline());
        if (at < node.wakeAt) {
            node.wakeAt = at;
            schedule(at - now, () -> {
                if (node.wakeAt == at && node.up) {
                    node.wakeAt = Long.MAX_VALUE;
                    node.router.tick(now);
                    wake(node);
                }
            });
        }
    }

    private void carry(int from, int to, byte[] sent) {
        if (!nodes.get(from).up) {
            return;
        }
        byte[] message = sent;
        if (nodes.get(from).dropper) {
            List<Wire.Frame> kept = new ArrayList<>(Wire.decode(sent).orElseThrow());
            kept.removeIf(f -> f instanceof Wire.Publish);
            if (kept.isEmpty()) {
                return;
            }
            message = Wire.encode(kept);
        }
        byte[] carried = message;
        messages++;
        bytes += message.length;
        if (random.nextDouble() < loss) {
            return;
        }
        Node target = nodes.get(to);
        double leaves = now;
        if (uplinkBytesPerMilli > 0) {
            Node sender = nodes.get(from);
            double start = Math.max(now, sender.uplinkFreeAt);
            sender.uplinkFreeAt = start + message.length / uplinkBytesPerMilli;
            leaves = sender.uplinkFreeAt;
        }
        long delay = Math.max(0, Math.round(leaves - now + latency.oneWayMillis(from, to, message.length, random)));
        schedule(delay, () -> {
            if (target.up && target.sessions.contains(from)) {
                target.router.receive(from, carried, now);
                wake(target);
            }
        });
    }

    private void schedule(long delay, Runnable action) {
        events.add(new Event(now + delay, order++, action));
    }
}
