package gladius.p2p.discovery.internal;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NetworkState;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import gladius.p2p.Plugin;
import gladius.p2p.discovery.DiscoveryMXBean;
import gladius.p2p.discovery.DiscoveryService;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The discovery plugin (see {@link DiscoveryService} for what it does on the wire). Its state is
 * touched only by its callbacks and its rounds ({@link Network#schedule}), which the network runs
 * one at a time, so it needs no lock; {@link #knownPeers()} readers on other threads see an
 * immutable copy published whenever the table changes. All state is bounded: the route-table
 * mirror by the route table, the asked and deleted sets by their own caps.
 */
final class DiscoveryPlugin implements Plugin, DiscoveryService, DiscoveryMXBean {

    private static final System.Logger LOG = System.getLogger(DiscoveryPlugin.class.getName());
    /** Deleted nodes remembered at most, so a flood of dead addresses cannot grow memory. */
    private static final int MAX_TOMBSTONES = 4096;

    private final DiscoverySettings settings;
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong unsolicited = new AtomicLong();
    /** Rounds run; written by the rounds (serial), read by JMX. */
    private volatile long rounds;

    /** Set at startup; volatile for discoverNow, which any thread may call. */
    private volatile Network network;
    // Callbacks and rounds only (serial): no lock.
    private final Set<NodeAddress> table = new LinkedHashSet<>();
    /** What knownPeers() returns: a copy of the table, published when it changes. */
    private volatile Set<NodeAddress> published = Set.of();
    /** Route-table nodes seen unreachable, and since when (wall clock, to compare with PeerState.lastSeen). */
    private final Map<NodeAddress, Instant> unreachableSince = new HashMap<>();
    /** Peers asked and not yet answered, with when (nanoTime). */
    private final Map<NodeAddress, Long> asked = new HashMap<>();
    /** Recently deleted nodes, with when (nanoTime), oldest first. */
    private final LinkedHashMap<NodeAddress, Long> tombstones = new LinkedHashMap<>();

    DiscoveryPlugin(DiscoverySettings settings) {
        this.settings = settings;
    }

    // ------------------------------------------------------------------ plugin callbacks

    @Override
    public void startup(Network network) {
        this.network = network;
        for (NodeAddress seed : settings.seeds()) {
            addIfRoom(seed, false);
        }
        scheduleRound(Duration.ofMillis(ThreadLocalRandom.current().nextLong(1 + settings.interval().toMillis() / 10)));
    }

    @Override
    public void nodeAdded(NodeAddress node) {
        if (table.add(node)) {
            publish();
        }
    }

    @Override
    public void nodeDeleted(NodeAddress node) {
        if (table.remove(node)) {
            publish();
        }
        unreachableSince.remove(node);
    }

    @Override
    public void newMessage(Message message) {
        if (!message.type().startsWith(TYPE_PREFIX)) {
            return;
        }
        try {
            switch (message.type()) {
                case REQUEST -> onRequest(message);
                case ANSWER -> onAnswer(message);
                default -> malformed.incrementAndGet();
            }
        } catch (IllegalStateException closing) {
            // The network closed while this message waited for us; nothing to answer any more.
            LOG.log(System.Logger.Level.DEBUG, "discovery dropped {0}: {1}", message.type(), closing.getMessage());
        }
    }

    // ------------------------------------------------------------------ DiscoveryMXBean

    @Override
    public int getKnownPeers() {
        return published.size();
    }

    @Override
    public long getRounds() {
        return rounds;
    }

    @Override
    public long getMalformedMessages() {
        return malformedMessages();
    }

    @Override
    public long getUnsolicitedAnswers() {
        return unsolicitedAnswers();
    }

    // ------------------------------------------------------------------ DiscoveryService

    @Override
    public Set<NodeAddress> knownPeers() {
        return published;
    }

    @Override
    public void discoverNow() {
        Network net = network;
        if (net == null) {
            return; // not started: the first round comes at startup anyway
        }
        try {
            net.schedule(this, Duration.ZERO, this::round);
        } catch (IllegalStateException | IllegalArgumentException ended) {
            LOG.log(System.Logger.Level.DEBUG, "discoverNow after the end: {0}", ended.getMessage());
        }
    }

    @Override
    public long malformedMessages() {
        return malformed.get();
    }

    @Override
    public long unsolicitedAnswers() {
        return unsolicited.get();
    }

    // ------------------------------------------------------------------ messages

    private void onRequest(Message request) {
        if (!Answers.isRequest(request.body())) {
            malformed.incrementAndGet();
            return;
        }
        NodeAddress from = request.sender();
        if (network == null) {
            return; // a network calls startup first; a plugin driven by hand may not have
        }
        List<NodeAddress> sample = sampleOfConnected(network, from);
        network.broadcast(network.newMessage(ANSWER, Answers.answer(sample)), from);
        tombstones.remove(from); // it spoke to us: it is back
        addIfRoom(from, false);
    }

    private void onAnswer(Message answer) {
        Optional<List<NodeAddress>> nodes = Answers.parseAnswer(answer.body());
        if (nodes.isEmpty()) {
            malformed.incrementAndGet();
            return;
        }
        if (asked.remove(answer.sender()) == null) {
            unsolicited.incrementAndGet();
            return;
        }
        for (NodeAddress node : nodes.get()) {
            addIfRoom(node, true);
        }
    }

    /** Up to SAMPLE connected route-table nodes other than the asker, chosen at random. */
    private static List<NodeAddress> sampleOfConnected(Network net, NodeAddress asker) {
        List<NodeAddress> connected = new ArrayList<>();
        for (PeerState peer : net.networkState().peers()) {
            if (peer.inRouteTable() && peer.connected() && !peer.address().equals(asker)) {
                connected.add(peer.address());
            }
        }
        Collections.shuffle(connected, ThreadLocalRandom.current());
        return connected.subList(0, Math.min(SAMPLE, connected.size()));
    }

    // ------------------------------------------------------------------ rounds

    /** The next round, serial with the callbacks (Network#schedule); none once the network closes or drops this plugin. */
    private void scheduleRound(Duration delay) {
        try {
            network.schedule(this, delay, () -> {
                try {
                    round();
                } finally {
                    long interval = settings.interval().toNanos();
                    long jitter = ThreadLocalRandom.current().nextLong(-interval / 10, interval / 10 + 1);
                    scheduleRound(Duration.ofNanos(interval + jitter));
                }
            });
        } catch (IllegalStateException | IllegalArgumentException ended) {
            LOG.log(System.Logger.Level.DEBUG, "discovery rounds end: {0}", ended.getMessage());
        }
    }

    /** Deletes nodes unreachable for too long, then asks for more if the table has room. */
    private void round() {
        rounds++; // serial with every other round and callback: no lost update
        try {
            NetworkState state = network.networkState();
            deleteUnreachable(network, state);
            ask(network, state);
        } catch (IllegalStateException closing) {
            LOG.log(System.Logger.Level.DEBUG, "discovery round skipped: {0}", closing.getMessage());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "discovery round failed", e);
        }
    }

    private void deleteUnreachable(Network net, NetworkState state) {
        Instant now = Instant.now();
        long nowNanos = System.nanoTime();
        List<NodeAddress> dead = new ArrayList<>();
        for (PeerState peer : state.peers()) {
            if (!peer.inRouteTable()) {
                continue;
            }
            if (peer.connected()) {
                unreachableSince.remove(peer.address());
                continue;
            }
            Instant lastSeen = peer.lastSeen();
            Instant since = unreachableSince.computeIfAbsent(peer.address(),
                    unused -> lastSeen.equals(Instant.EPOCH) ? now : lastSeen);
            if (Duration.between(since, now).compareTo(settings.unreachableAfter()) >= 0) {
                dead.add(peer.address());
            }
        }
        long expiry = settings.unreachableAfter().toNanos();
        for (Iterator<Long> it = tombstones.values().iterator(); it.hasNext(); ) {
            if (nowNanos - it.next() < expiry) {
                break;
            }
            it.remove();
        }
        asked.values().removeIf(when -> nowNanos - when > expiry);
        for (NodeAddress node : dead) {
            tombstones.remove(node);
            tombstones.put(node, nowNanos);
            if (tombstones.size() > MAX_TOMBSTONES) {
                tombstones.remove(tombstones.keySet().iterator().next());
            }
        }
        for (NodeAddress node : dead) {
            if (net.delete(node)) {
                LOG.log(System.Logger.Level.INFO, "discovery deleted {0}: unreachable for {1} ms or more",
                        node, settings.unreachableAfter().toMillis());
            }
        }
    }

    private void ask(Network net, NetworkState state) {
        if (table.size() >= settings.maxPeers()) {
            return;
        }
        Message request = net.newMessage(REQUEST, Answers.request());
        boolean anyConnected = state.peers().stream().anyMatch(p -> p.inRouteTable() && p.connected());
        List<NodeAddress> targets = anyConnected
                ? net.broadcastRandomly(request, settings.fanout())
                : seedsToAsk(net, request);
        long now = System.nanoTime();
        for (NodeAddress target : targets) {
            asked.put(target, now);
        }
    }

    /** With no connected peer, the seeds are asked directly (they may have been deleted meanwhile). */
    private List<NodeAddress> seedsToAsk(Network net, Message request) {
        List<NodeAddress> targets = new ArrayList<>();
        for (NodeAddress seed : settings.seeds()) {
            try {
                NodeAddress canonical = canonical(seed);
                if (net.broadcast(request, canonical) > 0) {
                    targets.add(canonical);
                }
            } catch (IllegalArgumentException | UnknownHostException unresolvable) {
                LOG.log(System.Logger.Level.DEBUG, "seed {0} skipped: {1}", seed, unresolvable.getMessage());
            }
        }
        return targets;
    }

    // ------------------------------------------------------------------ helpers

    private void publish() {
        published = Set.copyOf(table);
    }

    /**
     * Adds a node if the table has room (rounds and answers are serial, so they never overshoot
     * max-peers). This node's own address, or a name that does not resolve, is skipped.
     */
    private void addIfRoom(NodeAddress node, boolean fromAnswer) {
        if (network == null || table.size() >= settings.maxPeers()) {
            return;
        }
        try {
            NodeAddress canonical = canonical(node);
            if (table.contains(canonical) || (fromAnswer && tombstones.containsKey(canonical))) {
                return;
            }
            if (network.add(canonical)) {
                table.add(canonical);
                publish();
            }
        } catch (IllegalArgumentException | UnknownHostException skipped) {
            LOG.log(System.Logger.Level.DEBUG, "discovery skipped {0}: {1}", node, skipped.getMessage());
        } catch (IllegalStateException closing) {
            LOG.log(System.Logger.Level.DEBUG, "discovery stopped adding: {0}", closing.getMessage());
        }
    }

    /** The form the network reports a node in: its IP literal. Only seeds can be names; answers never are. */
    private static NodeAddress canonical(NodeAddress node) throws UnknownHostException {
        return new NodeAddress(InetAddress.getByName(node.host()).getHostAddress(), node.port());
    }
}
