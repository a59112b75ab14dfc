package gladius.p2p.discovery.internal;

import gladius.p2p.Contact;
import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NetworkState;
import gladius.p2p.NodeAddress;
import gladius.p2p.NodeKey;
import gladius.p2p.NodeRecord;
import gladius.p2p.PeerState;
import gladius.p2p.Plugin;
import gladius.p2p.discovery.DiscoveryMXBean;
import gladius.p2p.discovery.DiscoveryService;
import gladius.p2p.spi.NodeSampler;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * The discovery plugin (see {@link DiscoveryService} for what it does on the wire). Its state is
 * touched only by its callbacks and its rounds ({@link Network#schedule}), which the network runs
 * one at a time, so it needs no lock; {@link #knownPeers()} readers on other threads see an
 * immutable copy published whenever the table changes. All state is bounded: the route-table
 * mirror by the route table, the asked, answered and deleted maps by their own caps.
 *
 * <p>What a peer can make it do is bounded too (docs/SECURITY.md): an answer names at most
 * {@value DiscoveryService#MAX_ANSWER} nodes; none that no node can have, none on this host or
 * a private network unless this node or the peer is on one; at most {@code max-per-subnet} of
 * one /24 or /48 in the table; in a network with keys only nodes whose signed record names the
 * address, each dialed with its key pinned; and a peer's requests are answered at most once per
 * {@code request-interval}, from a sample made at most once a second.
 */
final class DiscoveryPlugin implements Plugin, DiscoveryService, DiscoveryMXBean {

    private static final System.Logger LOG = System.getLogger(DiscoveryPlugin.class.getName());
    /** Deleted nodes, and askers answered, remembered at most, so a flood of addresses cannot grow memory. */
    private static final int MAX_REMEMBERED = 4096;
    /** How long one sample of this node's peers answers requests. */
    private static final long SAMPLE_NANOS = 1_000_000_000L;

    private final DiscoverySettings settings;
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong unsolicited = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong unanswered = new AtomicLong();
    /** Rounds run; written by the rounds (serial), read by JMX. */
    private volatile long rounds;

    /** Set at startup; volatile for discoverNow, which any thread may call. */
    private volatile Network network;
    // Callbacks and rounds only (serial): no lock.
    /** The route table as this plugin knows it, each node with the key it was added with (null: none). */
    private final Map<NodeAddress, NodeKey> table = new LinkedHashMap<>();
    /** What knownPeers() returns: a copy of the table, published when it changes. */
    private volatile Set<NodeAddress> published = Set.of();
    /** Route-table nodes seen unreachable, and since when (wall clock, to compare with PeerState.lastSeen). */
    private final Map<NodeAddress, Instant> unreachableSince = new HashMap<>();
    /** Peers asked and not yet answered, with when (nanoseconds on the network's clock, nanos). */
    private final Map<NodeAddress, Long> asked = new HashMap<>();
    /** Recently deleted nodes, with when (nanoseconds on the network's clock, nanos), oldest first. */
    private final LinkedHashMap<NodeAddress, Long> tombstones = new LinkedHashMap<>();
    /** Peers whose request was answered, with when (nanoseconds on the network's clock, nanos), oldest first. */
    private final LinkedHashMap<NodeAddress, Long> answered = new LinkedHashMap<>();
    /** The sample requests are answered from, and when it was made (nanoseconds on the network's clock, nanos). */
    private List<Answers.Entry> sample;
    private long sampledAt;
    private Scope localScope = Scope.PUBLIC;
    /** Whether this network proves keys (then answers carry records). */
    private boolean keyed;
    /** This node deleted a node as unreachable (or dropped one to make room), and no seed has answered it since. */
    private boolean lostPeers;
    /** When it last asked the seeds for that (nanoseconds on the network's clock). */
    private long seedsAskedAt;
    /** A NodeSampler walk is in flight (at most one at a time). */
    private boolean sampling;
    /** Nodes a NodeSampler named, offered to the table; written by the plugin thread, read by anyone. */
    private volatile long walkedCount;

    DiscoveryPlugin(DiscoverySettings settings) {
        this.settings = settings;
    }

    // ------------------------------------------------------------------ plugin callbacks

    @Override
    public void startup(Network network) {
        this.network = network;
        localScope = scopeOf(network.localAddress()).orElse(Scope.PUBLIC); // 0.0.0.0 listens everywhere: public
        keyed = network.networkState().key().isPresent();
        for (DiscoverySettings.Seed seed : settings.seeds()) {
            addSeed(seed);
        }
        scheduleRound(Duration.ofMillis(network.random().nextLong(1 + settings.interval().toMillis() / 10)));
    }

    @Override
    public void nodeAdded(NodeAddress node) {
        if (!table.containsKey(node)) {
            // Added by someone else (the application, another plugin): with the key pinned for it, if any,
            // so that the same node is not added again at another address.
            NodeKey key = network == null ? null : network.peerState(node).flatMap(PeerState::key).orElse(null);
            table.put(node, key);
            publish();
        }
    }

    @Override
    public void nodeDeleted(NodeAddress node) {
        if (table.containsKey(node)) {
            table.remove(node);
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

    @Override
    public long getRefusedNodes() {
        return refusedNodes();
    }

    @Override
    public long getUnansweredRequests() {
        return unansweredRequests();
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

    @Override
    public long refusedNodes() {
        return refused.get();
    }

    @Override
    public long sampledNodes() {
        return walkedCount;
    }

    @Override
    public long unansweredRequests() {
        return unanswered.get();
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
        long now = nanos(network.clock().instant());
        Long last = answered.get(from);
        if (last != null && now - last < settings.requestInterval().toNanos()) {
            unanswered.incrementAndGet(); // a peer asking faster than anyone needs: it gets nothing
            return;
        }
        remember(answered, from, now);
        List<Answers.Entry> entries = sample(now).stream().filter(e -> !e.address().equals(from)).toList();
        network.broadcast(network.newMessage(ANSWER, Answers.answer(entries)), from);
        tombstones.remove(from); // it spoke to us: it is back
        // A request is also an announcement: the asker, as its session proved it, if there is room.
        Optional<NodeKey> key = network.peerState(from).flatMap(PeerState::key);
        addIfRoom(from, key.orElse(null), scopeOf(from).orElse(Scope.PUBLIC), false);
    }

    private void onAnswer(Message answer) {
        Optional<List<Answers.Entry>> entries = Answers.parseAnswer(answer.body());
        if (entries.isEmpty()) {
            malformed.incrementAndGet();
            return;
        }
        if (asked.remove(answer.sender()) == null) {
            unsolicited.incrementAndGet();
            return;
        }
        if (lostPeers && isSeed(answer.sender())) {
            lostPeers = false; // a seed's view again: whatever side this node was on, it is joined
        }
        Scope from = scopeOf(answer.sender()).orElse(Scope.PUBLIC);
        for (Answers.Entry entry : entries.get()) {
            NodeKey key = null;
            if (keyed) { // (a network's key is fixed: read once, at startup, not at every answer)
                // Only a node whose own signed record names the address, dialed with that key pinned.
                Optional<NodeRecord> record = network.readRecord(entry.record());
                if (record.isEmpty() || !record.get().addresses().contains(entry.address())) {
                    refused.incrementAndGet();
                    continue;
                }
                key = record.get().key();
            }
            addIfRoom(entry.address(), key, from, true);
        }
    }

    /**
     * Up to SAMPLE connected route-table nodes, at random, made again at most once a second: each
     * with its record in a network with keys (only those whose record names the address this node
     * reaches them at), or in a plain one only those it reaches directly (an address a relay named
     * is that relay's word, not a node's).
     */
    private List<Answers.Entry> sample(long now) {
        if (sample != null && now - sampledAt < SAMPLE_NANOS) {
            return sample;
        }
        List<Answers.Entry> connected = new ArrayList<>();
        for (PeerState peer : network.networkState().peers()) {
            if (!peer.inRouteTable() || !peer.connected()) {
                continue;
            }
            Optional<NodeRecord> record = peer.record();
            if (record.isPresent()) {
                if (record.get().addresses().contains(peer.address())) {
                    connected.add(new Answers.Entry(peer.address(), record.get().encoded()));
                }
            } else if (peer.key().isEmpty() && peer.relay().isEmpty()) {
                connected.add(new Answers.Entry(peer.address(), new byte[0]));
            }
        }
        RandomGenerator random = network.random(); // Collections.shuffle takes a RandomGenerator only from Java 21
        for (int i = connected.size() - 1; i > 0; i--) {
            Collections.swap(connected, i, random.nextInt(i + 1));
        }
        sample = List.copyOf(connected.subList(0, Math.min(SAMPLE + 1, connected.size()))); // one more: the asker may be one
        sampledAt = now;
        return sample;
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
                    long jitter = network.random().nextLong(-interval / 10, interval / 10 + 1);
                    scheduleRound(Duration.ofNanos(interval + jitter));
                }
            });
        } catch (IllegalStateException | IllegalArgumentException ended) {
            LOG.log(System.Logger.Level.DEBUG, "discovery rounds end: {0}", ended.getMessage());
        }
    }

    /** Deletes nodes unreachable for too long, then asks for more: a full table keeps asking one peer a round. */
    private void round() {
        rounds++; // serial with every other round and callback: no lost update
        try {
            NetworkState state = network.networkState();
            deleteUnreachable(network, state);
            ask(network, state);
            walk(network);
        } catch (IllegalStateException closing) {
            LOG.log(System.Logger.Level.DEBUG, "discovery round skipped: {0}", closing.getMessage());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "discovery round failed", e);
        }
    }

    private void deleteUnreachable(Network net, NetworkState state) {
        Instant now = net.clock().instant();
        long nowNanos = nanos(now);
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
            remember(tombstones, node, nowNanos);
        }
        if (!dead.isEmpty()) {
            lostPeer(nowNanos);
        }
        for (NodeAddress node : dead) {
            if (net.delete(node)) {
                LOG.log(System.Logger.Level.INFO, "discovery deleted {0}: unreachable for {1} ms or more",
                        node, settings.unreachableAfter().toMillis());
            }
        }
    }

    /**
     * A node left the table for being unreachable: until a seed answers, the seeds are asked too
     * (the first time at the next round).
     */
    private void lostPeer(long nowNanos) {
        if (!lostPeers) {
            lostPeers = true;
            seedsAskedAt = nowNanos - settings.unreachableAfter().toNanos();
        }
    }

    /**
     * Asks random connected peers; with none, the seeds. A node that lost peers (deleted as
     * unreachable) also asks the seeds, once per unreachable-after, until one answers: after a
     * partition that outlasted unreachable-after each side has deleted the other and asks only
     * its own, and the seeds are what the user gave to join them again.
     */
    private void ask(Network net, NetworkState state) {
        Message request = net.newMessage(REQUEST, Answers.request());
        boolean anyConnected = state.peers().stream().anyMatch(p -> p.inRouteTable() && p.connected());
        int fanout = table.size() >= settings.maxPeers() ? 1 : settings.fanout();
        long now = nanos(net.clock().instant());
        List<NodeAddress> targets = new ArrayList<>(anyConnected ? net.broadcastRandomly(request, fanout) : seedsToAsk(net, request));
        if (anyConnected && lostPeers && now - seedsAskedAt >= settings.unreachableAfter().toNanos()) {
            seedsAskedAt = now;
            targets.addAll(seedsToAsk(net, request));
        }
        for (NodeAddress target : targets) {
            asked.put(target, now);
        }
    }

    /**
     * With a {@link NodeSampler} on the network (the DHT) and room in the table, one walk at a time:
     * the nodes it names from all over the network go through the same checks as an answer's (a
     * peer exchange alone samples only the neighbourhood of this node's peers, which in a large
     * network is what a few peers know).
     */
    private void walk(Network net) {
        if (sampling || table.size() >= settings.maxPeers()) {
            return;
        }
        Optional<NodeSampler> sampler = net.plugin(NodeSampler.class);
        if (sampler.isEmpty()) {
            return;
        }
        sampling = true;
        sampler.get().sample(settings.maxPeers() - table.size()).whenComplete((nodes, failed) -> {
            try {
                // The sampler completes on its own plugin thread: back onto this plugin's before touching the table.
                net.schedule(this, Duration.ZERO, () -> {
                    sampling = false;
                    if (nodes == null || nodes.isEmpty()) {
                        return;
                    }
                    // This node at the addresses its peers see it at (a NAT's public one) is not a node to add.
                    List<NodeAddress> self = net.networkState().observedAddresses();
                    for (NodeSampler.Sampled node : nodes) {
                        if (self.contains(node.address())) {
                            continue;
                        }
                        if (table.size() < settings.maxPeers() && (!keyed || node.key().isPresent())) {
                            walkedCount++; // one writer, the plugin thread
                            addIfRoom(node.address(), node.key().orElse(null), Scope.PUBLIC, true);
                        }
                    }
                });
            } catch (IllegalStateException | IllegalArgumentException ended) {
                LOG.log(System.Logger.Level.DEBUG, "discovery walk ends: {0}", ended.getMessage());
            }
        });
    }

    private boolean isSeed(NodeAddress node) {
        for (DiscoverySettings.Seed seed : settings.seeds()) {
            try {
                if (canonical(seed.address()).equals(node)) {
                    return true;
                }
            } catch (UnknownHostException unresolvable) {
                // not this one
            }
        }
        return false;
    }

    /** With no connected peer, the seeds are asked directly (they may have been deleted meanwhile). */
    private List<NodeAddress> seedsToAsk(Network net, Message request) {
        List<NodeAddress> targets = new ArrayList<>();
        for (DiscoverySettings.Seed seed : settings.seeds()) {
            try {
                NodeAddress canonical = canonical(seed.address());
                if (net.broadcast(request, canonical) > 0) {
                    targets.add(canonical);
                }
            } catch (IllegalArgumentException | UnknownHostException unresolvable) {
                LOG.log(System.Logger.Level.DEBUG, "seed {0} skipped: {1}", seed, unresolvable.getMessage());
            }
        }
        return targets;
    }

    // ------------------------------------------------------------------ the table

    private void publish() {
        published = Set.copyOf(table.keySet());
    }

    /** A seed is added whatever its network: the user named it. Its key is pinned where the network can check one. */
    private void addSeed(DiscoverySettings.Seed seed) {
        try {
            NodeAddress canonical = canonical(seed.address());
            if (seed.key().isPresent()) {
                try {
                    network.add(new Contact(seed.key().get(), canonical));
                } catch (IllegalArgumentException noKeys) {
                    LOG.log(System.Logger.Level.WARNING, "seed {0}: {1}; added by its address alone", seed, noKeys.getMessage());
                    network.add(canonical);
                }
            } else {
                network.add(canonical);
            }
            table.put(canonical, seed.key().orElse(null));
            publish();
        } catch (IllegalArgumentException | UnknownHostException skipped) {
            LOG.log(System.Logger.Level.WARNING, "seed {0} skipped: {1}", seed, skipped.getMessage());
        } catch (IllegalStateException closing) {
            LOG.log(System.Logger.Level.DEBUG, "discovery stopped adding: {0}", closing.getMessage());
        }
    }

    /**
     * Adds a node that a peer in scope {@code from} told of (or that asked us itself, {@code
     * fromAnswer} false), if it is one this node may dial and the table has room: with its key
     * pinned if it has one (a key already in the table is not added again at another address),
     * at most max-per-subnet of one block. A full table makes room only by dropping a node that
     * is not connected, the one unreachable longest. This node's own address, or a deleted one
     * named by a third party, is skipped.
     */
    private void addIfRoom(NodeAddress node, NodeKey key, Scope from, boolean fromAnswer) {
        if (network == null || table.containsKey(node) || (fromAnswer && tombstones.containsKey(node))) {
            return;
        }
        Optional<InetAddress> ip = Answers.literal(node.host());
        if (ip.isEmpty() || !Scope.of(ip.get()).dialableFor(localScope, from)
                || (key != null && table.containsValue(key)) || node.equals(network.localAddress())) {
            refused.incrementAndGet();
            return;
        }
        if (!roomInSubnet(ip.get()) || (table.size() >= settings.maxPeers() && !makeRoom())) {
            refused.incrementAndGet();
            return;
        }
        try {
            boolean added = key == null ? network.add(node) : network.add(new Contact(key, node));
            if (added) {
                table.put(node, key);
                publish();
            }
        } catch (IllegalArgumentException skipped) {
            refused.incrementAndGet();
            LOG.log(System.Logger.Level.DEBUG, "discovery skipped {0}: {1}", node, skipped.getMessage());
        } catch (IllegalStateException closing) {
            LOG.log(System.Logger.Level.DEBUG, "discovery stopped adding: {0}", closing.getMessage());
        }
    }

    /**
     * Whether one more node of this address's block fits: max-per-subnet in all, except among
     * this host's own addresses when this node itself listens there (a cluster on one machine).
     */
    private boolean roomInSubnet(InetAddress ip) {
        if (localScope == Scope.LOOPBACK && Scope.of(ip) == Scope.LOOPBACK) {
            return true;
        }
        String block = Scope.subnet(ip);
        int same = 0;
        for (NodeAddress held : table.keySet()) {
            Optional<InetAddress> heldIp = Answers.literal(held.host());
            if (heldIp.isPresent() && Scope.subnet(heldIp.get()).equals(block) && ++same >= settings.maxPerSubnet()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Deletes the table node unreachable longest, if one is unreachable now (a round saw it so,
     * and it is still not connected: a round's view may be older than a session that came up
     * since); false if there is none.
     */
    private boolean makeRoom() {
        // One peer at a time, and only those seen unreachable (at most the table): a full node is
        // asked to make room by every request and answer, and a snapshot of a hub's thousands of
        // sessions each time made a 10,000-node network quadratic (found on the simulator).
        Optional<Map.Entry<NodeAddress, Instant>> longest = unreachableSince.entrySet().stream()
                .filter(e -> table.containsKey(e.getKey()))
                .filter(e -> network.peerState(e.getKey()).map(peer -> !peer.connected()).orElse(true))
                .min(Map.Entry.comparingByValue());
        if (longest.isEmpty()) {
            return false;
        }
        NodeAddress evicted = longest.get().getKey();
        unreachableSince.remove(evicted);
        lostPeer(nanos(network.clock().instant())); // it may be a seed, or the last link to a side cut off
        if (network.delete(evicted)) {
            LOG.log(System.Logger.Level.DEBUG, "discovery made room: {0} was unreachable the longest", evicted);
        }
        table.remove(evicted);
        publish();
        return true;
    }

    private static <K> void remember(LinkedHashMap<K, Long> map, K key, long when) {
        map.remove(key);
        map.put(key, when);
        if (map.size() > MAX_REMEMBERED) {
            map.remove(map.keySet().iterator().next());
        }
    }

    private static Optional<Scope> scopeOf(NodeAddress address) {
        return Answers.literal(address.host()).map(ip -> ip.isAnyLocalAddress() ? null : Scope.of(ip));
    }

    /** The form the network reports a node in: its IP literal. Only seeds can be names; answers never are. */
    private static NodeAddress canonical(NodeAddress node) throws UnknownHostException {
        return new NodeAddress(InetAddress.getByName(node.host()).getHostAddress(), node.port());
    }

    /** An instant of the network's clock as nanoseconds since the epoch: the plugin's times, whose differences are its intervals. */
    private static long nanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }
}
