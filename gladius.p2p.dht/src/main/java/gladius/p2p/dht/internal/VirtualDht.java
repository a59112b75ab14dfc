package gladius.p2p.dht.internal;

import gladius.p2p.NodeAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Many DHT cores on one thread in virtual time, with no transport: what checks the DHT's rules at
 * ten thousand nodes in seconds (the unit tests, and the {@code DhtScale} benchmark). A message
 * from one core reaches another after {@link Latency#oneWayMillis}, or is lost with probability
 * {@code loss}; one seed gives one run. Nodes have addresses of their own /24 (11.x.y.1), IDs
 * from their addresses, and entries that are their addresses, as in a network without keys.
 *
 * <p>Hostile nodes ({@link #addSybil}) answer every lookup with the hostile nodes closest to its
 * target and never a record or a provider, and say they stored every record they drop: the eclipse
 * attack of S/Kademlia's evaluation.
 */
final class VirtualDht {

    /** How long a message takes between two nodes, in milliseconds. */
    @FunctionalInterface
    interface Latency {
        double oneWayMillis(int from, int to, SplittableRandom random);
    }

    /** A node of the net: its core, or null for a hostile one. */
    final class Node {
        final int index;
        final NodeAddress address;
        final NodeId id;
        final Kademlia core;
        boolean up = true;
        /** When its next tick is scheduled (it may have later ones queued too, which find nothing to do). */
        long wakeAt = Long.MAX_VALUE;

        Node(int index, NodeAddress address, Kademlia core) {
            this.index = index;
            this.address = address;
            this.id = NodeId.ofAddress(address);
            this.core = core;
        }

        Peer peer() {
            return new Peer(id, address, entry(address));
        }
    }

    private record Event(long at, long order, Runnable action) {}

    private final SplittableRandom random;
    private final Kademlia.Config config;
    private final Latency latency;
    private final double loss;
    private final PriorityQueue<Event> events = new PriorityQueue<>(
            Comparator.comparingLong(Event::at).thenComparingLong(Event::order));
    private final List<Node> nodes = new ArrayList<>();
    private final Map<NodeAddress, Node> byAddress = new HashMap<>();
    private final List<Node> sybils = new ArrayList<>();
    private long order;
    private long now = 1_800_000_000_000L; // a date in 2027, so records' expiry is in the epoch's terms
    private long messages;

    VirtualDht(long seed, Kademlia.Config config, Latency latency, double loss) {
        this.random = new SplittableRandom(seed);
        this.config = config;
        this.latency = latency;
        this.loss = loss;
    }

    /** A net whose messages all take {@code millis}, none lost. */
    static VirtualDht flat(long seed, Kademlia.Config config, double millis) {
        return new VirtualDht(seed, config, (a, b, r) -> millis, 0);
    }

    long now() {
        return now;
    }

    long messages() {
        return messages;
    }

    List<Node> nodes() {
        return nodes;
    }

    /** Adds an honest node, not yet joined. */
    Node add() {
        int index = nodes.size();
        NodeAddress address = addressOf(index);
        SplittableRandom own = random.split();
        Node[] self = new Node[1];
        Kademlia core = new Kademlia(config, NodeId.ofAddress(address), new Kademlia.Io() {
            @Override
            public void send(NodeAddress to, byte[] body) {
                deliver(self[0], to, body);
            }

            @Override
            public Optional<Peer> readEntry(byte[] entry) {
                return read(entry);
            }
        }, VirtualDht::subnet, own);
        self[0] = new Node(index, address, core);
        nodes.add(self[0]);
        byAddress.put(address, self[0]);
        wake(self[0]);
        return self[0];
    }

    /** Adds a hostile node (see the class comment). */
    Node addSybil() {
        int index = nodes.size();
        NodeAddress address = addressOf(index);
        Node node = new Node(index, address, null);
        nodes.add(node);
        byAddress.put(address, node);
        sybils.add(node);
        return node;
    }

    /** Joins a node through another (by address), then runs until it has. */
    void join(Node node, Node through) {
        boolean[] done = {false};
        node.core.bootstrap(List.of(through.address), now, r -> done[0] = true);
        wake(node);
        runUntil(() -> done[0], 60_000);
    }

    /** Puts a node in another's table directly, as if it had sent it something. */
    void introduce(Node node, Node to) {
        to.core.addContact(node.peer(), now);
    }

    /** Takes a node off the net (it neither answers nor sends), or puts it back. */
    void setUp(Node node, boolean up) {
        node.up = up;
        if (up && node.core != null) {
            wake(node);
        }
    }

    /** Runs events for {@code millis} of virtual time. */
    void runFor(long millis) {
        long end = now + millis;
        while (!events.isEmpty() && events.peek().at() <= end) {
            Event e = events.poll();
            now = e.at();
            e.action().run();
        }
        now = end;
    }

    /** Runs events until {@code done} holds; false if {@code maxMillis} of virtual time passed first. */
    boolean runUntil(BooleanSupplier done, long maxMillis) {
        long end = now + maxMillis;
        while (!done.getAsBoolean()) {
            if (events.isEmpty() || events.peek().at() > end) {
                now = Math.max(now, Math.min(end, events.isEmpty() ? end : events.peek().at()));
                return done.getAsBoolean();
            }
            Event e = events.poll();
            now = e.at();
            e.action().run();
        }
        return true;
    }

    /** After an operation on a node's core: its timer may be earlier now. */
    void wake(Node node) {
        long at = Math.max(now, node.core.nextDeadline());
        if (at < node.wakeAt) {
            node.wakeAt = at;
            schedule(at - now, () -> tickOf(node));
        }
    }

    private void tickOf(Node node) {
        if (node.wakeAt > now) {
            return; // a wake made obsolete by an earlier one, which scheduled the next
        }
        node.wakeAt = Long.MAX_VALUE;
        if (!node.up) {
            return; // setUp wakes it again
        }
        node.core.tick(now);
        wake(node);
    }

    private void deliver(Node from, NodeAddress to, byte[] body) {
        messages++;
        Node target = byAddress.get(to);
        if (target == null || !from.up || random.nextDouble() < loss) {
            return;
        }
        long delay = Math.max(0, Math.round(latency.oneWayMillis(from.index, target.index, random)));
        schedule(delay, () -> {
            if (!target.up) {
                return;
            }
            if (target.core == null) {
                hostileAnswer(target, from, body);
                return;
            }
            target.core.receive(from.id, from.address, entry(from.address), body, now);
            wake(target);
        });
    }

    /** A sybil's answer: the sybils closest to the target, no record, and a lie that a put was stored. */
    private void hostileAnswer(Node sybil, Node to, byte[] body) {
        Optional<Wire.Msg> msg = Wire.decode(body);
        if (msg.isEmpty() || !(msg.get() instanceof Wire.Request request)) {
            return;
        }
        byte[] answer;
        if (request.kind() == Wire.PUT || request.kind() == Wire.ADD_PROVIDER) {
            answer = Wire.ack(request.id(), Wire.STORED);
        } else {
            // The k sybils closest to the target: one pass, keeping the k best in order (no sort of them all).
            List<Node> closest = new ArrayList<>(config.k() + 1);
            for (Node candidate : sybils) {
                int at = closest.size();
                while (at > 0 && request.target().compareDistance(candidate.id, closest.get(at - 1).id) < 0) {
                    at--;
                }
                if (at < config.k()) {
                    closest.add(at, candidate);
                    if (closest.size() > config.k()) {
                        closest.remove(closest.size() - 1);
                    }
                }
            }
            List<byte[]> entries = new ArrayList<>();
            for (Node n : closest) {
                entries.add(entry(n.address));
            }
            answer = Wire.nodes(request.id(), null, List.of(), entries);
        }
        long delay = Math.max(0, Math.round(latency.oneWayMillis(sybil.index, to.index, random)));
        messages++;
        schedule(delay, () -> {
            if (to.up) {
                to.core.receive(sybil.id, sybil.address, entry(sybil.address), answer, now);
                wake(to);
            }
        });
    }

    private void schedule(long delay, Runnable action) {
        events.add(new Event(now + delay, order++, action));
    }

    static NodeAddress addressOf(int index) {
        return new NodeAddress("11." + ((index >>> 8) & 0xff) + "." + (index & 0xff) + ".1", 4000 + (index >>> 16));
    }

    private static byte[] entry(NodeAddress address) {
        return address.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Optional<Peer> read(byte[] entry) {
        try {
            NodeAddress address = NodeAddress.parse(new String(entry, StandardCharsets.UTF_8));
            return Optional.of(new Peer(NodeId.ofAddress(address), address, entry));
        } catch (IllegalArgumentException garbage) {
            return Optional.empty();
        }
    }

    private static String subnet(NodeAddress address) {
        String host = address.host();
        return host.substring(0, host.lastIndexOf('.'));
    }
}
