package gladius.p2p.dht.internal;

import gladius.p2p.NodeAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * The DHT without I/O: Kademlia's routing table, lookups over disjoint paths (S/Kademlia), and the
 * record store, driven by {@link #receive} (a message arrived), {@link #tick} (time passed) and the
 * operations, each given the time; what it sends goes to {@link Io#send}. Nothing in it reads a
 * clock, a socket or a thread, so the plugin runs it on the network's plugin thread and the
 * simulator runs ten thousand of them in virtual time. Not thread-safe: one thread at a time.
 *
 * <p>Times are milliseconds on the network's clock (records' expiry is absolute, so the epoch's).
 */
final class Kademlia {

    /** What the core needs from around it. */
    interface Io {
        /** Sends a DHT message; losing it is the network's business (a request times out). */
        void send(NodeAddress to, byte[] body);

        /** The node an entry of a NODES answer names, if it checks out (a signed record, or an address). */
        Optional<Peer> readEntry(byte[] entry);

        /** A record was stored (for another node, or this node's own): to keep across a restart. */
        default void stored(Records.Signed record) {}
    }

    /**
     * The core's rules.
     *
     * @param k bucket size, nodes a lookup ends with, nodes a record is stored on
     * @param alpha requests in flight per path
     * @param paths disjoint paths per lookup (S/Kademlia's d)
     * @param quorum a GET ends once this many nodes gave the record
     * @param requestTimeout milliseconds before a request is slow (a lookup goes on without it); it fails at {@value #GIVE_UP} times that
     * @param refreshInterval milliseconds after which a bucket no lookup looked into is refreshed
     * @param maxTtl the furthest expiry a record may carry, milliseconds from now
     * @param providerTtl how long a provider entry is kept, milliseconds
     * @param maxEntries records and provider entries kept for others
     * @param maxBytes bytes of records kept for others
     * @param maxProvidersPerKey providers kept for one key
     * @param maxFailures requests in a row a node may leave unanswered before it leaves its bucket
     * @param maxPerSubnetInBucket nodes of one /24 (or /48) in a bucket
     * @param maxPerSubnetInTable nodes of one /24 (or /48) in the table
     */
    record Config(int k, int alpha, int paths, int quorum, long requestTimeout, long refreshInterval, long maxTtl,
                  long providerTtl, int maxEntries, long maxBytes, int maxProvidersPerKey, int maxFailures,
                  int maxPerSubnetInBucket, int maxPerSubnetInTable) {

        static Config defaults() {
            return new Config(20, 3, 3, 3, 1_000, 600_000, 86_400_000L + 60_000L, 86_400_000L, 65_536, 64L << 20,
                    20, 2, 2, 10);
        }

        Config withPaths(int d) {
            return new Config(k, alpha, d, quorum, requestTimeout, refreshInterval, maxTtl, providerTtl, maxEntries,
                    maxBytes, maxProvidersPerKey, maxFailures, maxPerSubnetInBucket, maxPerSubnetInTable);
        }

        Config withAlpha(int a) {
            return new Config(k, a, paths, quorum, requestTimeout, refreshInterval, maxTtl, providerTtl, maxEntries,
                    maxBytes, maxProvidersPerKey, maxFailures, maxPerSubnetInBucket, maxPerSubnetInTable);
        }
    }

    /**
     * What a lookup found.
     *
     * @param closest the k closest nodes that answered, closest first
     * @param found the node whose ID was looked up, if an answer named it (its entry checked) or it answered
     * @param record the newest valid record a GET found
     * @param providers the providers a GET_PROVIDERS found
     * @param hops requests in a chain to the closest node that answered (or to the first that gave the record)
     * @param messages requests sent
     * @param millis how long it took
     */
    record Result(List<Peer> closest, Optional<Peer> found, Optional<Records.Signed> record, List<Peer> providers, int hops, int messages,
                  long millis) {}

    /** What a put or a provide did: on how many of the {@code asked} closest nodes it is now stored. */
    record Stored(int stored, int asked, Result lookup) {}

    /** Counters, for NetworkState-style figures; each only grows. */
    static final class Counters {
        long lookups;
        long requestsSent;
        long answers;
        long timeouts;
        long requestsServed;
        long malformed;
        long unsolicited;
        long invalidRecords;
        long invalidEntries;
    }

    private final Config config;
    private final NodeId self;
    private final Io io;
    private final RandomGenerator random;
    private final RoutingTable table;
    private final RecordStore store;
    private final Counters counters = new Counters();
    private final Map<Integer, Pending> pending = new HashMap<>();
    private final PriorityQueue<Pending> deadlines = new PriorityQueue<>(Comparator.comparingLong(p -> p.deadline));
    /** When buckets are next checked for refresh, and expired records dropped; 0 until the first tick. */
    private long nextRefresh;
    private long nextExpiry;
    /** The time of the latest event or operation, for the callbacks that run inside it. */
    private long lastNow;

    /**
     * A request in flight. {@code expected} is null for a bootstrap address whose node is not known
     * yet. At {@code requestTimeout} it is {@code slow} (a lookup goes on without it); at
     * {@link #GIVE_UP} times that it has {@code failed}; an answer in between still counts.
     */
    private static final class Pending {
        final int id;
        final NodeId expected;
        final Consumer<Wire.Msg> answered;
        final Runnable slow;
        final Runnable failed;
        long deadline;
        long failsAt;
        boolean over;

        Pending(int id, NodeId expected, Consumer<Wire.Msg> answered, Runnable slow, Runnable failed) {
            this.id = id;
            this.expected = expected;
            this.answered = answered;
            this.slow = slow;
            this.failed = failed;
        }
    }

    /** How many request timeouts pass before a request that was slow has failed. */
    static final int GIVE_UP = 4;

    Kademlia(Config config, NodeId self, Io io, Function<NodeAddress, String> subnetOf, RandomGenerator random) {
        this.config = config;
        this.self = self;
        this.io = io;
        this.random = random;
        this.table = new RoutingTable(self, config.k(), config.maxFailures(), config.maxPerSubnetInBucket(),
                config.maxPerSubnetInTable(), subnetOf);
        this.store = new RecordStore(config.maxEntries(), config.maxBytes(), config.maxProvidersPerKey());
    }

    NodeId self() {
        return self;
    }

    RoutingTable table() {
        return table;
    }

    RecordStore store() {
        return store;
    }

    Counters counters() {
        return counters;
    }

    // ------------------------------------------------------------------ events

    /**
     * A DHT message from a node: {@code fromEntry} is what tells others of it (its record), or null
     * if there is none yet (then it is answered, but not put in the table).
     */
    void receive(NodeId fromId, NodeAddress from, byte[] fromEntry, byte[] body, long now) {
        lastNow = now;
        Optional<Wire.Msg> decoded = Wire.decode(body);
        if (decoded.isEmpty()) {
            counters.malformed++;
            return;
        }
        Wire.Msg msg = decoded.get();
        if (msg instanceof Wire.Request request) {
            if (fromEntry != null) {
                table.offer(new Peer(fromId, from, fromEntry), now);
            }
            serve(fromId, from, fromEntry, request, now);
            return;
        }
        Pending p = pending.get(msg.id());
        if (p == null || (p.expected != null && !p.expected.equals(fromId))) {
            counters.unsolicited++; // late (timed out), never asked, or from another node than the one asked
            return;
        }
        pending.remove(p.id);
        p.over = true;
        counters.answers++;
        if (fromEntry != null) {
            table.offer(new Peer(fromId, from, fromEntry), now);
        }
        table.answered(fromId, now);
        p.answered.accept(msg);
    }

    /** Time passed: requests time out, buckets are refreshed, expired records go. */
    void tick(long now) {
        lastNow = now;
        while (!deadlines.isEmpty() && deadlines.peek().deadline <= now) {
            Pending p = deadlines.poll();
            if (p.over) {
                continue;
            }
            if (p.deadline < p.failsAt) {
                p.deadline = p.failsAt; // slow: whoever waits goes on, and a late answer still counts
                deadlines.add(p);
                p.slow.run();
            } else {
                p.over = true;
                pending.remove(p.id);
                counters.timeouts++;
                p.failed.run();
            }
        }
        if (now >= nextExpiry) {
            store.expire(now);
            nextExpiry = now + 60_000;
        }
        if (now >= nextRefresh) {
            if (nextRefresh != 0) { // not on the first tick: every bucket is stale then
                for (int bucket : table.staleBuckets(now - config.refreshInterval())) {
                    findNode(self.randomInBucket(bucket, random), now, r -> {});
                }
            }
            nextRefresh = now + config.refreshInterval() / 4;
        }
    }

    /** The earliest time {@link #tick} has something to do. */
    long nextDeadline() {
        while (!deadlines.isEmpty() && deadlines.peek().over) {
            deadlines.poll();
        }
        long next = Math.min(nextRefresh, nextExpiry);
        return deadlines.isEmpty() ? next : Math.min(next, deadlines.peek().deadline);
    }

    // ------------------------------------------------------------------ operations

    /** Keeps a record read back from the data directory, checked as if it came from the network. */
    boolean restore(byte[] encoded, long now) {
        Optional<Records.Signed> record = Records.read(encoded, now, now + config.maxTtl());
        return record.isPresent() && store.put(record.get()) == RecordStore.Outcome.STORED;
    }

    /** Puts a node in the table, as a seed whose ID is known. */
    RoutingTable.Outcome addContact(Peer peer, long now) {
        lastNow = now;
        return table.offer(peer, now);
    }

    /**
     * Joins through nodes known only by address: asks each for the nodes closest to this one,
     * then looks this node up through what they gave (which fills the buckets near it).
     */
    void bootstrap(List<NodeAddress> seeds, long now, Consumer<Result> done) {
        lastNow = now;
        if (seeds.isEmpty()) {
            findNode(self, now, done);
            return;
        }
        int[] left = {seeds.size()};
        Runnable next = () -> {
            if (--left[0] == 0) {
                findNode(self, lastNow, done);
            }
        };
        for (NodeAddress seed : seeds) {
            request(null, seed, Wire.FIND_NODE, self, null, now, answer -> {
                if (answer instanceof Wire.Nodes nodes) {
                    for (byte[] entry : nodes.closer()) {
                        readEntry(entry).ifPresent(p -> table.offer(p, lastNow));
                    }
                }
                next.run();
            }, next);
        }
    }

    /** Finds the k nodes closest to {@code target} (the node itself among them, if it is there). */
    void findNode(NodeId target, long now, Consumer<Result> done) {
        lastNow = now;
        new Lookup(Wire.FIND_NODE, target, now, done).start(table.closest(target, config.k()));
    }

    /**
     * Finds the node with this ID: ends as soon as an answer names it (its entry, which it signed
     * itself in a network with keys, says where it is) or it answers; {@link Result#found} is empty
     * if no path reached it. This node's own table is asked first.
     */
    void find(NodeId target, long now, Consumer<Result> done) {
        lastNow = now;
        Lookup lookup = new Lookup(Wire.FIND_NODE, target, now, done);
        lookup.stopAtFound = true;
        Optional<Peer> known = table.get(target);
        if (known.isPresent()) {
            lookup.found = known.get();
            lookup.finish();
            return;
        }
        lookup.start(table.closest(target, config.k()));
    }

    /** Stores a checked record here and on the k nodes closest to its place. */
    void put(Records.Signed record, long now, Consumer<Stored> done) {
        lastNow = now;
        if (store.put(record) == RecordStore.Outcome.STORED) {
            io.stored(record);
        }
        findNode(record.place(), now, lookup -> storeOn(lookup, Wire.put(0, record.encoded()), done));
    }

    /** The newest valid record at {@code place}: this node's, or the newest the lookup found. */
    void get(NodeId place, long now, Consumer<Result> done) {
        lastNow = now;
        Lookup lookup = new Lookup(Wire.GET, place, now, done);
        store.get(place, now).ifPresent(lookup::offerRecord);
        lookup.start(table.closest(place, config.k()));
    }

    /** Tells the k nodes closest to {@code key} that this node provides it. */
    void provide(NodeId key, long now, Consumer<Stored> done) {
        lastNow = now;
        findNode(key, now, lookup -> storeOn(lookup, Wire.request(Wire.ADD_PROVIDER, 0, key), done));
    }

    /** Sends a PUT or ADD_PROVIDER to each node a lookup ended with; done when each answered or timed out. */
    private void storeOn(Result lookup, byte[] request, Consumer<Stored> done) {
        List<Peer> targets = lookup.closest();
        if (targets.isEmpty()) {
            done.accept(new Stored(0, 0, lookup));
            return;
        }
        int[] stored = {0};
        int[] left = {targets.size()};
        for (Peer peer : targets) {
            requestStore(peer, request, lastNow, status -> {
                if (status == Wire.STORED || status == Wire.KEPT_NEWER) {
                    stored[0]++;
                }
                if (--left[0] == 0) {
                    done.accept(new Stored(stored[0], targets.size(), lookup));
                }
            });
        }
    }

    /** The nodes that provide {@code key}. */
    void findProviders(NodeId key, long now, Consumer<Result> done) {
        lastNow = now;
        new Lookup(Wire.GET_PROVIDERS, key, now, done).start(table.closest(key, config.k()));
    }

    // ------------------------------------------------------------------ serving

    private void serve(NodeId fromId, NodeAddress from, byte[] fromEntry, Wire.Request request, long now) {
        counters.requestsServed++;
        byte[] answer = switch (request.kind()) {
            case Wire.FIND_NODE -> Wire.nodes(request.id(), null, List.of(), closerEntries(request.target(), fromId));
            case Wire.GET -> Wire.nodes(request.id(),
                    store.get(request.target(), now).map(Records.Signed::encoded).orElse(null),
                    List.of(), closerEntries(request.target(), fromId));
            case Wire.GET_PROVIDERS -> Wire.nodes(request.id(), null, store.providers(request.target(), now),
                    closerEntries(request.target(), fromId));
            case Wire.PUT -> Wire.ack(request.id(), accept(request.record(), now));
            case Wire.ADD_PROVIDER -> Wire.ack(request.id(), fromEntry == null ? Wire.INVALID
                    : store.addProvider(request.target(), fromId, fromEntry, now + config.providerTtl()) ? Wire.STORED : Wire.FULL);
            default -> null;
        };
        if (answer != null) {
            io.send(from, answer);
        }
    }

    private int accept(byte[] encoded, long now) {
        Optional<Records.Signed> record = Records.read(encoded, now, now + config.maxTtl());
        if (record.isEmpty()) {
            counters.invalidRecords++;
            return Wire.INVALID;
        }
        return switch (store.put(record.get())) {
            case STORED -> {
                io.stored(record.get());
                yield Wire.STORED;
            }
            case KEPT_NEWER -> Wire.KEPT_NEWER;
            case FULL -> Wire.FULL;
        };
    }

    private List<byte[]> closerEntries(NodeId target, NodeId asker) {
        List<Peer> closest = table.closest(target, config.k() + 1);
        List<byte[]> entries = new ArrayList<>(closest.size());
        for (Peer p : closest) {
            if (!p.id().equals(asker) && entries.size() < config.k()) {
                entries.add(p.entry());
            }
        }
        return entries;
    }

    // ------------------------------------------------------------------ requests

    private void request(NodeId expected, NodeAddress to, byte kind, NodeId target, byte[] body, long now,
                         Consumer<Wire.Msg> answered, Runnable failed) {
        request(expected, to, kind, target, body, now, answered, () -> {}, failed);
    }

    private void request(NodeId expected, NodeAddress to, byte kind, NodeId target, byte[] body, long now,
                         Consumer<Wire.Msg> answered, Runnable slow, Runnable failed) {
        int id = newId();
        Pending p = new Pending(id, expected, answered, slow, failed);
        p.deadline = now + config.requestTimeout();
        p.failsAt = now + GIVE_UP * config.requestTimeout();
        pending.put(id, p);
        deadlines.add(p);
        counters.requestsSent++;
        io.send(to, body != null ? withId(body, id) : Wire.request(kind, id, target));
    }

    private void requestStore(Peer peer, byte[] body, long now, java.util.function.IntConsumer status) {
        request(peer.id(), peer.address(), Wire.PUT, null, body, now, answer -> {
            status.accept(answer instanceof Wire.Ack ack ? ack.status() : Wire.INVALID);
        }, () -> {
            table.failed(peer.id(), lastNow);
            status.accept(-1);
        });
    }

    private static byte[] withId(byte[] body, int id) {
        byte[] out = body.clone();
        out[1] = (byte) (id >>> 24);
        out[2] = (byte) (id >>> 16);
        out[3] = (byte) (id >>> 8);
        out[4] = (byte) id;
        return out;
    }

    private int newId() {
        int id;
        do {
            id = random.nextInt();
        } while (pending.containsKey(id));
        return id;
    }

    private Optional<Peer> readEntry(byte[] entry) {
        Optional<Peer> peer = io.readEntry(entry);
        if (peer.isEmpty()) {
            counters.invalidEntries++;
        }
        return peer;
    }

    // ------------------------------------------------------------------ lookups

    /**
     * One iterative lookup over {@code config.paths()} disjoint paths: the closest known nodes are
     * dealt round-robin to the paths, and a node learned by one path is never asked by another, so
     * that one path through hostile nodes cannot lead the others astray (S/Kademlia). Each path
     * keeps {@code alpha} requests in flight and ends when its k closest live nodes have answered.
     */
    private final class Lookup {
        private static final int NEW = 0;
        private static final int ASKED = 1;
        private static final int ANSWERED = 2;
        private static final int FAILED = 3;
        /** Not answered within the request timeout: its path goes on without it; a late answer still counts. */
        private static final int SLOW = 4;

        private final class Candidate {
            final Peer peer;
            final int depth;
            int state;

            Candidate(Peer peer, int depth) {
                this.peer = peer;
                this.depth = depth;
            }
        }

        private final class Path {
            final List<Candidate> candidates = new ArrayList<>();
            int inFlight;
            boolean done;
        }

        private final byte kind;
        private final NodeId target;
        private final long startedAt;
        private final Consumer<Result> done;
        private final List<Path> paths = new ArrayList<>();
        private final Set<NodeId> claimed = new HashSet<>();
        private final Map<NodeId, Peer> providers = new LinkedHashMap<>();
        private Records.Signed best;
        private int bestDepth;
        /** The node looked for, once an answer named it; and the lookup's end then, if it was to find that node. */
        private Peer found;
        private int foundDepth;
        private boolean stopAtFound;
        private int withRecord;
        private int messages;
        private boolean finished;

        Lookup(byte kind, NodeId target, long now, Consumer<Result> done) {
            this.kind = kind;
            this.target = target;
            this.startedAt = now;
            this.done = done;
            lastNow = now;
            counters.lookups++;
            claimed.add(self);
        }

        void offerRecord(Records.Signed record) {
            if (best == null || record.newerThan(best)) {
                best = record;
                bestDepth = 0;
            }
        }

        void start(List<Peer> initial) {
            int d = Math.max(1, Math.min(config.paths(), initial.size()));
            for (int i = 0; i < d; i++) {
                paths.add(new Path());
            }
            for (int i = 0; i < initial.size(); i++) {
                Peer p = initial.get(i);
                if (claimed.add(p.id())) {
                    paths.get(i % d).candidates.add(new Candidate(p, 1));
                }
            }
            for (Path path : paths) {
                step(path);
            }
            finishIfDone();
        }

        private void step(Path path) {
            if (finished) {
                return;
            }
            int considered = 0;
            boolean waiting = false;
            for (int i = 0; i < path.candidates.size(); i++) {
                Candidate c = path.candidates.get(i);
                if (c.state == FAILED) {
                    continue;
                }
                if (considered++ >= config.k()) {
                    break;
                }
                if (c.state == SLOW) {
                    waiting = true; // among the k closest: its answer, or its failure, is still to come
                } else if (c.state == NEW && path.inFlight < config.alpha()) {
                    ask(path, c);
                }
            }
            // Done when every one of its k closest live nodes has answered.
            path.done = path.inFlight == 0 && !waiting;
        }

        private void ask(Path path, Candidate c) {
            c.state = ASKED;
            path.inFlight++;
            messages++;
            request(c.peer.id(), c.peer.address(), kind, target, null, lastNow, answer -> {
                if (c.state == ASKED) {
                    path.inFlight--;
                }
                c.state = ANSWERED;
                if (answer instanceof Wire.Nodes nodes) {
                    learn(path, c, nodes);
                }
                if (!finished && kind == Wire.FIND_NODE && c.peer.id().equals(target)) {
                    found = c.peer;
                    foundDepth = c.depth;
                    if (stopAtFound) {
                        finish(); // the node looked for answered (no other node can be closer)
                    }
                }
                step(path);
                finishIfDone();
            }, () -> {
                c.state = SLOW;
                path.inFlight--;
                step(path);
                finishIfDone();
            }, () -> {
                c.state = FAILED;
                table.failed(c.peer.id(), lastNow);
                step(path);
                finishIfDone();
            });
        }

        private void learn(Path path, Candidate from, Wire.Nodes nodes) {
            if (finished) {
                return;
            }
            if (nodes.record().isPresent() && kind == Wire.GET) {
                Optional<Records.Signed> record = Records.read(nodes.record().get(), lastNow, lastNow + config.maxTtl());
                if (record.isPresent() && record.get().place().equals(target)) {
                    withRecord++;
                    if (best == null || record.get().newerThan(best)) {
                        best = record.get();
                        bestDepth = from.depth;
                    }
                } else {
                    counters.invalidRecords++;
                }
            }
            if (kind == Wire.GET_PROVIDERS) {
                for (byte[] entry : nodes.providers()) {
                    readEntry(entry).ifPresent(p -> providers.putIfAbsent(p.id(), p));
                }
            }
            boolean added = false;
            for (byte[] entry : nodes.closer()) {
                Optional<Peer> peer = readEntry(entry);
                if (peer.isPresent() && kind == Wire.FIND_NODE && peer.get().id().equals(target) && found == null) {
                    found = peer.get(); // its entry is what it signed itself: no need to ask it
                    foundDepth = from.depth;
                }
                if (peer.isPresent() && claimed.add(peer.get().id())) {
                    path.candidates.add(new Candidate(peer.get(), from.depth + 1));
                    added = true;
                }
            }
            if (added) {
                path.candidates.sort((a, b) -> target.compareDistance(a.peer.id(), b.peer.id()));
            }
            if (kind == Wire.GET && withRecord >= config.quorum() || found != null && stopAtFound) {
                finish();
            }
        }

        private void finishIfDone() {
            if (finished) {
                return;
            }
            for (Path path : paths) {
                if (!path.done) {
                    return;
                }
            }
            finish();
        }

        private void finish() {
            finished = true;
            List<Candidate> answered = new ArrayList<>();
            for (Path path : paths) {
                for (Candidate c : path.candidates) {
                    if (c.state == ANSWERED) {
                        answered.add(c);
                    }
                }
            }
            answered.sort((a, b) -> target.compareDistance(a.peer.id(), b.peer.id()));
            List<Peer> closest = new ArrayList<>(Math.min(config.k(), answered.size()));
            for (int i = 0; i < answered.size() && closest.size() < config.k(); i++) {
                closest.add(answered.get(i).peer);
            }
            int hops = kind == Wire.GET && best != null ? bestDepth
                    : found != null ? foundDepth : answered.isEmpty() ? 0 : answered.get(0).depth;
            table.touch(target, lastNow);
            done.accept(new Result(closest, Optional.ofNullable(found), Optional.ofNullable(best), List.copyOf(providers.values()), hops, messages,
                    lastNow - startedAt));
        }
    }
}
