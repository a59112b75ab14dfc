package gladius.p2p.dht.internal;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.NodeKey;
import gladius.p2p.NodeRecord;
import gladius.p2p.PeerState;
import gladius.p2p.Plugin;
import gladius.p2p.dht.DhtMXBean;
import gladius.p2p.dht.DhtRecord;
import gladius.p2p.dht.DhtService;
import gladius.p2p.dht.DhtStats;
import gladius.p2p.spi.DeadlineTimer;
import gladius.p2p.spi.NodeSampler;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.random.RandomGenerator;

/**
 * The DHT plugin: a {@link Kademlia} core run on the network's plugin thread. Messages of type
 * {@value DhtService#TYPE} go to the core with the sender's ID (SHA-256 of the key its session
 * proved; of its address in a network without keys) and its record; what the core sends goes out
 * with {@link Network#broadcast(gladius.p2p.Message, NodeAddress...)}, which dials a node it has
 * no session with (without adding it to the route table); the core's timers are one scheduled
 * task at its next deadline. The application's calls hop onto the plugin thread the same way.
 */
final class DhtPlugin implements Plugin, DhtService, DhtMXBean, NodeSampler {

    private static final System.Logger LOG = System.getLogger(DhtPlugin.class.getName());
    private static final byte[] CONTENT_LABEL = "gladius dht content\0".getBytes(StandardCharsets.US_ASCII);

    private final DhtSettings settings;
    private final Signer signer;
    private volatile Network network;
    private volatile DhtStats published = new DhtStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    // Plugin thread only.
    private Kademlia core;
    private boolean keyed;
    private DeadlineTimer timer;
    /** Route-table nodes not yet asked to let this node join through them. */
    private final Set<NodeAddress> unasked = new LinkedHashSet<>();
    private final CompletableFuture<Integer> joined = new CompletableFuture<>();
    /** The application's calls made before the first join ended, run when it does (plugin thread). */
    private final List<Runnable> untilJoined = new ArrayList<>();
    /** The application's calls not yet answered: failed when the network closes, never left waiting. */
    private final Set<CompletableFuture<?>> outstanding = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** This node's own records and provided content, put again every republish interval. */
    private final Map<String, byte[]> own = new LinkedHashMap<>();
    private final Map<String, Long> lastSequence = new LinkedHashMap<>();
    private final Set<NodeId> provided = new LinkedHashSet<>();
    /** Records signed elsewhere (Ethereum) that this node put: republished as they are until they expire. */
    private final Map<NodeId, Records.Signed> ownSigned = new LinkedHashMap<>();

    /** Where records and the table are kept across restarts; null without {@code dht.data-dir}. */
    private final DataDir dataDir;
    private long dataDirFailures;
    /** How often the routing table is saved to the data directory. */
    private static final Duration SAVE_INTERVAL = Duration.ofMinutes(1);

    DhtPlugin(DhtSettings settings) {
        this.settings = settings;
        this.signer = settings.signer();
        this.dataDir = settings.dataDir().map(DataDir::open).orElse(null); // a directory it cannot use is the user's to fix, now
    }

    // ------------------------------------------------------------------ plugin callbacks

    @Override
    public void startup(Network network) {
        this.network = network;
        Optional<NodeKey> key = network.networkState().key();
        keyed = key.isPresent();
        NodeId self = keyed ? NodeId.ofKey(key.get()) : NodeId.ofAddress(network.localAddress());
        boolean loopback = literal(network.localAddress().host()).map(InetAddress::isLoopbackAddress).orElse(false);
        // network.random() is for the calling thread, at once: asked afresh at every draw, on the plugin thread.
        RandomGenerator random = () -> network.random().nextLong();
        core = new Kademlia(settings.core(), self, new Io(), address -> subnet(address, loopback), random);
        timer = new DeadlineTimer(network, this, this::onTimer);
        unasked.addAll(settings.seeds());
        if (dataDir != null) {
            restore();
            network.schedule(this, SAVE_INTERVAL, this::save);
        }
        for (PeerState peer : network.networkState().peers()) {
            if (peer.inRouteTable()) {
                unasked.add(peer.address());
            }
        }
        if (unasked.isEmpty()) {
            joined.complete(0);
        }
        join();
        network.schedule(this, settings.republishInterval(), this::republish);
    }

    @Override
    public void nodeAdded(NodeAddress node) {
        if (core != null) {
            unasked.add(node);
            join();
        }
    }

    @Override
    public void newMessage(Message message) {
        if (!TYPE.equals(message.type()) || core == null) {
            return;
        }
        NodeAddress from = message.sender();
        NodeId id;
        byte[] entry;
        if (keyed) {
            Optional<PeerState> peer = network.peerState(from);
            Optional<NodeKey> key = peer.flatMap(PeerState::key);
            if (key.isEmpty()) {
                core.counters().malformed++; // a session that proved no key in a network with keys: none should
                return;
            }
            id = NodeId.ofKey(key.get());
            entry = peer.flatMap(PeerState::record).map(NodeRecord::encoded).orElse(null);
        } else {
            id = NodeId.ofAddress(from);
            entry = from.toString().getBytes(StandardCharsets.UTF_8);
        }
        core.receive(id, from, entry, message.bodyBytes(), now());
        after();
    }

    @Override
    public void close() {
        if (dataDir != null) {
            if (core != null) {
                saveNodes();
            }
            try {
                dataDir.close();
            } catch (java.sql.SQLException e) {
                failed("close", e);
            }
        }
        core = null;
        joined.completeExceptionally(new IllegalStateException("the network closed"));
        for (CompletableFuture<?> waiting : outstanding) {
            waiting.completeExceptionally(new IllegalStateException("the network closed"));
        }
    }

    // ------------------------------------------------------------------ DhtService

    @Override
    public CompletableFuture<Integer> joined() {
        return joined.copy();
    }

    @Override
    public byte[] writer() {
        return signer.publicKey();
    }

    @Override
    public CompletableFuture<Stored> put(String name, byte[] value) {
        DhtRecord.checkName(name);
        if (value.length > DhtRecord.MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("value is " + value.length + " bytes, over " + DhtRecord.MAX_VALUE_BYTES);
        }
        byte[] copy = value.clone();
        CompletableFuture<Stored> result = new CompletableFuture<>();
        onPluginThread(result, () -> {
            own.put(name, copy);
            putOwn(name, copy, result);
        });
        return result;
    }

    @Override
    public CompletableFuture<Stored> putSigned(byte[] address, String name, byte[] value, long timestampMillis, byte[] signature) {
        DhtRecord.checkName(name);
        Network net = network;
        Records.Signed signed = Records.ethereum(address.clone(), name, value.clone(), timestampMillis, signature.clone(),
                        net == null ? System.currentTimeMillis() : net.clock().millis())
                .orElseThrow(() -> new IllegalArgumentException("the record's signature does not check out (or no eip191 signature "
                        + "verifier, the ethstate module, is on the module path), or it has expired or is dated in the future"));
        CompletableFuture<Stored> result = new CompletableFuture<>();
        onPluginThread(result, () -> {
            ownSigned.put(signed.place(), signed);
            core.put(signed, now(), stored -> result.complete(new Stored(signed.record(), stored.stored())));
        });
        return result;
    }

    @Override
    public CompletableFuture<Optional<DhtRecord>> get(String path) {
        int slash = path.indexOf('/');
        String hex = slash < 0 ? "" : path.substring(path.startsWith("0x") ? 2 : 0, slash);
        if ((hex.length() != 2 * DhtRecord.WRITER_BYTES && hex.length() != 2 * DhtRecord.ETHEREUM_WRITER_BYTES)
                || !hex.matches("[0-9a-fA-F]+")) {
            throw new IllegalArgumentException("path must be WRITERHEX/NAME (64 hex digits, or an Ethereum address's 40, '/', a name), not '"
                    + path + "'");
        }
        byte[] writer = HexFormat.of().parseHex(hex);
        String name = DhtRecord.checkName(path.substring(slash + 1));
        CompletableFuture<Optional<DhtRecord>> result = new CompletableFuture<>();
        onPluginThread(result, () -> core.get(Records.place(writer, name), now(),
                lookup -> result.complete(lookup.record().map(Records.Signed::record))));
        return result;
    }

    @Override
    public CompletableFuture<Optional<NodeAddress>> find(NodeKey key) {
        if (!keyed && network != null) {
            throw new IllegalStateException("this network proves no keys: its DHT IDs come from addresses");
        }
        NodeId target = NodeId.ofKey(key);
        CompletableFuture<Optional<NodeAddress>> result = new CompletableFuture<>();
        onPluginThread(result, () -> core.find(target, now(), lookup -> result.complete(lookup.found().map(Peer::address))));
        return result;
    }

    @Override
    public CompletableFuture<Integer> provide(byte[] content) {
        NodeId key = contentKey(content);
        CompletableFuture<Integer> result = new CompletableFuture<>();
        onPluginThread(result, () -> {
            provided.add(key);
            core.provide(key, now(), stored -> result.complete(stored.stored()));
        });
        return result;
    }

    @Override
    public CompletableFuture<List<NodeAddress>> providers(byte[] content) {
        NodeId key = contentKey(content);
        CompletableFuture<List<NodeAddress>> result = new CompletableFuture<>();
        onPluginThread(result, () -> core.findProviders(key, now(),
                lookup -> result.complete(lookup.providers().stream().map(Peer::address).toList())));
        return result;
    }

    @Override
    public CompletableFuture<List<Sampled>> sample(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be 1 or more, not " + n);
        }
        CompletableFuture<List<Sampled>> result = new CompletableFuture<>();
        onPluginThread(result, () -> core.findNode(NodeId.random(network.random()), now(), lookup -> {
            // This node as others see it (behind a NAT, a public address; in a network without keys
            // its ID there is not its own): never offered as a node to add.
            Set<NodeAddress> self = new java.util.HashSet<>();
            try {
                self.addAll(network.networkState().observedAddresses());
                self.add(network.localAddress());
            } catch (IllegalStateException closing) {
                // The last answer came in as the network closed (its plugins are closed after it is):
                // a failed future, not a plugin failure.
                result.completeExceptionally(new IllegalStateException("the network closed", closing));
                return;
            }
            List<Sampled> found = new ArrayList<>();
            for (Peer peer : lookup.closest()) {
                if (found.size() == n) {
                    break;
                }
                if (self.contains(peer.address())) {
                    continue;
                }
                Optional<NodeKey> key = keyed ? network.readRecord(peer.entry()).map(NodeRecord::key) : Optional.empty();
                if (!keyed || key.isPresent()) {
                    found.add(new Sampled(peer.address(), key));
                }
            }
            result.complete(found);
        }));
        return result;
    }

    @Override
    public int knownNodes() {
        return published.knownNodes();
    }

    @Override
    public DhtStats stats() {
        return published;
    }

    // ------------------------------------------------------------------ DhtMXBean

    @Override
    public int getKnownNodes() {
        return published.knownNodes();
    }

    @Override
    public int getRecords() {
        return published.records();
    }

    @Override
    public int getProviders() {
        return published.providers();
    }

    @Override
    public long getRecordBytes() {
        return published.recordBytes();
    }

    @Override
    public long getLookups() {
        return published.lookups();
    }

    @Override
    public long getRequestsSent() {
        return published.requestsSent();
    }

    @Override
    public long getTimeouts() {
        return published.timeouts();
    }

    @Override
    public long getRequestsServed() {
        return published.requestsServed();
    }

    @Override
    public long getMalformedMessages() {
        return published.malformed();
    }

    @Override
    public long getUnsolicitedAnswers() {
        return published.unsolicited();
    }

    @Override
    public long getInvalidRecords() {
        return published.invalidRecords();
    }

    @Override
    public long getInvalidEntries() {
        return published.invalidEntries();
    }

    @Override
    public long getRefusedBySubnet() {
        return published.refusedBySubnet();
    }

    @Override
    public long getRefusedForRoom() {
        return published.refusedForRoom();
    }

    @Override
    public long getDataDirFailures() {
        return published.dataDirFailures();
    }

    // ------------------------------------------------------------------ the core's surroundings

    private final class Io implements Kademlia.Io {
        @Override
        public void send(NodeAddress to, byte[] body) {
            try {
                network.broadcast(network.newMessage(TYPE, body), to);
            } catch (IllegalStateException closed) {
                LOG.log(System.Logger.Level.DEBUG, "dht dropped a message to {0}: {1}", to, closed.getMessage());
            }
        }

        @Override
        public void stored(Records.Signed record) {
            if (dataDir != null) {
                try {
                    dataDir.store(record);
                } catch (java.sql.SQLException e) {
                    failed("store a record", e);
                }
            }
        }

        @Override
        public Optional<Peer> readEntry(byte[] entry) {
            if (keyed) {
                Optional<NodeRecord> record = network.readRecord(entry);
                if (record.isEmpty() || record.get().addresses().isEmpty()) {
                    return Optional.empty();
                }
                return Optional.of(new Peer(NodeId.ofKey(record.get().key()), record.get().addresses().get(0), entry));
            }
            try {
                NodeAddress address = NodeAddress.parse(new String(entry, StandardCharsets.UTF_8));
                return address.port() == 0 ? Optional.empty() : Optional.of(new Peer(NodeId.ofAddress(address), address, entry));
            } catch (IllegalArgumentException garbage) {
                return Optional.empty();
            }
        }
    }

    /**
     * Reads back what the data directory kept: the records (checked again), and the table's nodes
     * (their signed records checked again), which this node then joins through as through seeds.
     */
    private void restore() {
        long now = now();
        try {
            int records = 0;
            for (byte[] encoded : dataDir.records(now)) {
                records += core.restore(encoded, now) ? 1 : 0;
            }
            int nodes = 0;
            for (byte[] entry : dataDir.nodes()) {
                Optional<Peer> peer = new Io().readEntry(entry);
                if (peer.isPresent() && core.addContact(peer.get(), now) == RoutingTable.Outcome.ADDED) {
                    nodes++;
                    if (nodes <= settings.core().k()) {
                        unasked.add(peer.get().address()); // the most recently seen: asked as seeds
                    }
                }
            }
            LOG.log(System.Logger.Level.INFO, "dht: {0} records and {1} nodes read back from {2}", records, nodes, dataDir.file());
        } catch (java.sql.SQLException e) {
            failed("read back", e);
        }
    }

    private void save() {
        if (core == null) {
            return;
        }
        saveNodes();
        try {
            dataDir.expire(now());
        } catch (java.sql.SQLException e) {
            failed("drop expired records", e);
        }
        network.schedule(this, SAVE_INTERVAL, this::save);
    }

    private void saveNodes() {
        try {
            dataDir.saveNodes(core.table().entries());
        } catch (java.sql.SQLException e) {
            failed("save the routing table", e);
        }
    }

    /** A data directory that failed: counted, and logged (the first time as a warning); the DHT goes on in memory. */
    private void failed(String what, java.sql.SQLException e) {
        dataDirFailures++;
        LOG.log(dataDirFailures == 1 ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                "dht: cannot " + what + " in " + dataDir.file() + ": " + e.getMessage());
    }

    /** Asks the route-table nodes not asked yet for the nodes near this one; the first time, then looks itself up. */
    private void join() {
        if (unasked.isEmpty()) {
            return;
        }
        List<NodeAddress> seeds = new ArrayList<>(unasked);
        unasked.clear();
        core.bootstrap(seeds, now(), result -> {
            if (joined.complete(core.table().size())) {
                untilJoined.forEach(Runnable::run);
                untilJoined.clear();
            }
        });
        after();
    }

    private void putOwn(String name, byte[] value, CompletableFuture<Stored> result) {
        long now = now();
        long sequence = Math.max(now, lastSequence.getOrDefault(name, -1L) + 1);
        lastSequence.put(name, sequence);
        DhtRecord record = new DhtRecord(signer.publicKey(), name, value, sequence,
                java.time.Instant.ofEpochMilli(now).plus(settings.recordTtl()));
        Records.Signed signed = Records.sign(record, signer);
        core.put(signed, now, stored -> {
            if (result != null) {
                result.complete(new Stored(record, stored.stored()));
            }
        });
    }

    private void republish() {
        if (core == null) {
            return;
        }
        own.forEach((name, value) -> putOwn(name, value, null));
        long now = now();
        ownSigned.values().removeIf(signed -> signed.record().expiresAt().toEpochMilli() <= now);
        for (Records.Signed signed : ownSigned.values()) {
            core.put(signed, now, stored -> {});
        }
        for (NodeId key : provided) {
            core.provide(key, now(), stored -> {});
        }
        after();
        network.schedule(this, settings.republishInterval(), this::republish);
    }

    /**
     * Runs an application's call on the plugin thread; fails its future if the network is closed
     * or not started, or closes before the call's work ends (close fails every future still out).
     */
    private void onPluginThread(CompletableFuture<?> result, Runnable task) {
        Network net = network;
        if (net == null) {
            throw new IllegalStateException("the DHT has not started: the network is not listening");
        }
        outstanding.add(result);
        result.whenComplete((done, failed) -> outstanding.remove(result));
        try {
            net.schedule(this, Duration.ZERO, () -> {
                if (core == null) {
                    result.completeExceptionally(new IllegalStateException("the network closed"));
                } else if (!joined.isDone()) {
                    untilJoined.add(task); // a lookup now would ask no one: the seeds are not in the table yet
                } else {
                    task.run();
                    after();
                }
            });
        } catch (IllegalStateException | IllegalArgumentException closed) {
            result.completeExceptionally(new IllegalStateException("the network closed", closed));
        }
    }

    /** After the core ran: publish the figures, and set the timer to its next deadline. */
    private void after() {
        Kademlia k = core;
        if (k == null) {
            return;
        }
        Kademlia.Counters c = k.counters();
        published = new DhtStats(k.table().size(), k.store().recordCount(), k.store().providerCount(), k.store().bytes(),
                c.lookups, c.requestsSent, c.timeouts, c.requestsServed, c.malformed, c.unsolicited, c.invalidRecords,
                c.invalidEntries, k.table().refusedBySubnet(), k.store().refused(), dataDirFailures);
        timer.wakeAt(k.nextDeadline());
    }

    private void onTimer(long now) {
        if (core != null) {
            core.tick(now);
            after();
        }
    }

    private long now() {
        return network.clock().millis();
    }

    private static NodeId contentKey(byte[] content) {
        if (content.length == 0 || content.length > 255) {
            throw new IllegalArgumentException("content must be 1 to 255 bytes, not " + content.length);
        }
        return NodeId.of(NodeId.sha256(CONTENT_LABEL, content));
    }

    /** The block an address counts against for the subnet limits, or null when none applies. */
    private String subnet(NodeAddress address, boolean localLoopback) {
        if (!settings.ipLimits()) {
            return null;
        }
        Optional<InetAddress> ip = literal(address.host());
        if (ip.isEmpty()) {
            return "name " + address.host();
        }
        if (localLoopback && ip.get().isLoopbackAddress()) {
            return null; // a cluster on one machine
        }
        byte[] b = ip.get().getAddress();
        return HexFormat.of().formatHex(b, 0, b.length == 4 ? 3 : 6);
    }

    /** The address of an IP literal, without asking DNS. */
    static Optional<InetAddress> literal(String host) {
        if (host.isEmpty() || !(host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(host));
        } catch (UnknownHostException | SecurityException e) {
            return Optional.empty();
        }
    }
}
