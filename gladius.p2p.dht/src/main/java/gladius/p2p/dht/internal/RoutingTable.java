package gladius.p2p.dht.internal;

import gladius.p2p.NodeAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Kademlia's k-buckets, with the rules that keep a table from being taken over (S/Kademlia,
 * discv5): a full bucket keeps the nodes it has held longest and puts a newcomer in its
 * replacement cache, replacing only a node whose last request went unanswered; and at most
 * {@code maxPerSubnetInBucket} nodes of one IPv4 /24 or IPv6 /48 in a bucket and
 * {@code maxPerSubnetInTable} in the table, so that one operator with one block of addresses
 * fills no bucket. Not thread-safe: the core that owns it runs on one thread.
 */
final class RoutingTable {

    /** What {@link #offer} did with a node. */
    enum Outcome {
        /** Now in its bucket. */
        ADDED,
        /** It was there; its address and entry are the latest now. */
        UPDATED,
        /** Its bucket is full of nodes that answer: it waits in the replacement cache. */
        CACHED,
        /** Its /24 (or /48) has its share of the bucket or the table already. */
        REFUSED_BY_SUBNET,
        /** It is this node. */
        SELF
    }

    /** A node in a bucket, with when it came in (older nodes are kept) and its unanswered requests since its last answer. */
    static final class Entry {
        Peer peer;
        final long addedAt;
        long lastSeen;
        int failures;

        Entry(Peer peer, long now) {
            this.peer = peer;
            this.addedAt = now;
            this.lastSeen = now;
        }
    }

    private static final class Bucket {
        final List<Entry> entries = new ArrayList<>();
        /** Newcomers that did not fit, newest last. */
        final List<Peer> replacements = new ArrayList<>();
        long touchedAt;
    }

    private final NodeId self;
    private final int k;
    private final int maxFailures;
    private final int maxPerSubnetInBucket;
    private final int maxPerSubnetInTable;
    /** The block an address counts against, or null for one that no limit applies to. */
    private final Function<NodeAddress, String> subnetOf;
    private final Bucket[] buckets = new Bucket[NodeId.BITS];
    private final Map<NodeId, Entry> byId = new HashMap<>();
    private final Map<String, Integer> inTableBySubnet = new HashMap<>();
    private long refusedBySubnet;

    RoutingTable(NodeId self, int k, int maxFailures, int maxPerSubnetInBucket, int maxPerSubnetInTable,
                 Function<NodeAddress, String> subnetOf) {
        this.self = self;
        this.k = k;
        this.maxFailures = maxFailures;
        this.maxPerSubnetInBucket = maxPerSubnetInBucket;
        this.maxPerSubnetInTable = maxPerSubnetInTable;
        this.subnetOf = subnetOf;
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new Bucket();
        }
    }

    /** A node showed it is alive (it sent us something): added, updated, cached, or refused. */
    Outcome offer(Peer peer, long now) {
        if (peer.id().equals(self)) {
            return Outcome.SELF;
        }
        Bucket bucket = bucketOf(peer.id());
        Entry known = byId.get(peer.id());
        if (known != null) {
            if (!known.peer.address().equals(peer.address())) {
                String was = subnetOf.apply(known.peer.address());
                String moved = subnetOf.apply(peer.address());
                if (moved != null && !moved.equals(was) && !roomFor(bucket, moved)) {
                    refusedBySubnet++;
                    return Outcome.REFUSED_BY_SUBNET; // keeps the address it had
                }
                uncount(was);
                count(moved);
            }
            known.peer = peer;
            known.lastSeen = now;
            known.failures = 0;
            return Outcome.UPDATED;
        }
        String subnet = subnetOf.apply(peer.address());
        if (subnet != null && !roomFor(bucket, subnet)) {
            refusedBySubnet++;
            return Outcome.REFUSED_BY_SUBNET;
        }
        if (bucket.entries.size() >= k) {
            Entry unanswered = null;
            for (Entry e : bucket.entries) {
                if (e.failures > 0 && (unanswered == null || e.failures > unanswered.failures)) {
                    unanswered = e;
                }
            }
            if (unanswered == null) {
                cache(bucket, peer);
                return Outcome.CACHED;
            }
            remove(bucket, unanswered);
        }
        insert(bucket, peer, now);
        return Outcome.ADDED;
    }

    /** A node answered a request: it is alive. */
    void answered(NodeId id, long now) {
        Entry e = byId.get(id);
        if (e != null) {
            e.failures = 0;
            e.lastSeen = now;
            bucketOf(id).touchedAt = now;
        }
    }

    /**
     * A request to a node went unanswered. It leaves its bucket after {@code maxFailures} of them in
     * a row, or at once if a newcomer is waiting to take its place.
     */
    void failed(NodeId id, long now) {
        Entry e = byId.get(id);
        if (e == null) {
            return;
        }
        e.failures++;
        Bucket bucket = bucketOf(id);
        if (e.failures >= maxFailures || !bucket.replacements.isEmpty()) {
            remove(bucket, e);
            promote(bucket, now);
        }
    }

    /** The {@code n} nodes closest to {@code target}, closest first. */
    List<Peer> closest(NodeId target, int n) {
        List<Entry> all = new ArrayList<>(byId.values());
        all.sort((a, b) -> target.compareDistance(a.peer.id(), b.peer.id()));
        List<Peer> out = new ArrayList<>(Math.min(n, all.size()));
        for (int i = 0; i < all.size() && out.size() < n; i++) {
            out.add(all.get(i).peer);
        }
        return out;
    }

    Optional<Peer> get(NodeId id) {
        Entry e = byId.get(id);
        return e == null ? Optional.empty() : Optional.of(e.peer);
    }

    boolean contains(NodeId id) {
        return byId.containsKey(id);
    }

    int size() {
        return byId.size();
    }

    long refusedBySubnet() {
        return refusedBySubnet;
    }

    /** Marks a bucket as looked into (a lookup for an ID in it ran). */
    void touch(NodeId id, long now) {
        if (!id.equals(self)) {
            bucketOf(id).touchedAt = now;
        }
    }

    /**
     * The buckets to refresh: those not looked into since {@code before}, up to one past the
     * deepest that holds a node (deeper ones cover a space too small to hold anyone yet).
     */
    List<Integer> staleBuckets(long before) {
        int deepest = -1;
        for (int i = buckets.length - 1; i >= 0; i--) {
            if (!buckets[i].entries.isEmpty()) {
                deepest = i;
                break;
            }
        }
        List<Integer> stale = new ArrayList<>();
        for (int i = 0; i <= Math.min(deepest + 1, buckets.length - 1); i++) {
            if (buckets[i].touchedAt < before) {
                stale.add(i);
            }
        }
        return stale;
    }

    /** Every node, for persistence and the figures. */
    List<Entry> entries() {
        return new ArrayList<>(byId.values());
    }

    /** How many nodes bucket {@code i} holds, for tests and the figures. */
    int bucketSize(int i) {
        return buckets[i].entries.size();
    }

    /** How many newcomers wait in bucket {@code i}'s replacement cache. */
    int replacementCount(int i) {
        return buckets[i].replacements.size();
    }

    int bucketIndex(NodeId id) {
        return Math.min(self.commonPrefix(id), NodeId.BITS - 1);
    }

    private Bucket bucketOf(NodeId id) {
        return buckets[bucketIndex(id)];
    }

    private boolean roomFor(Bucket bucket, String subnet) {
        if (inTableBySubnet.getOrDefault(subnet, 0) >= maxPerSubnetInTable) {
            return false;
        }
        int same = 0;
        for (Entry e : bucket.entries) {
            if (subnet.equals(subnetOf.apply(e.peer.address()))) {
                same++;
            }
        }
        return same < maxPerSubnetInBucket;
    }

    private void insert(Bucket bucket, Peer peer, long now) {
        Entry e = new Entry(peer, now);
        bucket.entries.add(e);
        byId.put(peer.id(), e);
        count(subnetOf.apply(peer.address()));
        bucket.replacements.removeIf(p -> p.id().equals(peer.id()));
    }

    private void remove(Bucket bucket, Entry e) {
        bucket.entries.remove(e);
        byId.remove(e.peer.id());
        uncount(subnetOf.apply(e.peer.address()));
    }

    private void cache(Bucket bucket, Peer peer) {
        bucket.replacements.removeIf(p -> p.id().equals(peer.id()));
        bucket.replacements.add(peer);
        if (bucket.replacements.size() > k) {
            bucket.replacements.remove(0);
        }
    }

    /** Moves the newest newcomer that fits the subnet limits from the cache into the bucket. */
    private void promote(Bucket bucket, long now) {
        for (int i = bucket.replacements.size() - 1; i >= 0 && bucket.entries.size() < k; i--) {
            Peer candidate = bucket.replacements.get(i);
            String subnet = subnetOf.apply(candidate.address());
            if (subnet == null || roomFor(bucket, subnet)) {
                bucket.replacements.remove(i);
                insert(bucket, candidate, now);
                return;
            }
        }
    }

    private void count(String subnet) {
        if (subnet != null) {
            inTableBySubnet.merge(subnet, 1, Integer::sum);
        }
    }

    private void uncount(String subnet) {
        if (subnet != null) {
            inTableBySubnet.computeIfPresent(subnet, (s, n) -> n <= 1 ? null : n - 1);
        }
    }
}
