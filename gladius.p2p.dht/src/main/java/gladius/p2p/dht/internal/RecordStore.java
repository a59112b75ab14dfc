package gladius.p2p.dht.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The records and provider entries this node keeps for others, bounded: at most
 * {@code maxEntries} of the two together and {@code maxBytes} of record bytes, and
 * {@code maxProvidersPerKey} providers of one key. A put past a bound is refused and counted,
 * never makes room by dropping what is held (which a flood of puts could then wash out). Times are
 * milliseconds since the epoch, on the network's clock. Not thread-safe.
 */
final class RecordStore {

    /** What a put did. */
    enum Outcome { STORED, KEPT_NEWER, FULL }

    private record Provided(byte[] entry, long expiresAt) {}

    private final int maxEntries;
    private final long maxBytes;
    private final int maxProvidersPerKey;
    private final Map<NodeId, Records.Signed> records = new HashMap<>();
    private final Map<NodeId, LinkedHashMap<NodeId, Provided>> providers = new HashMap<>();
    private long bytes;
    private int providerEntries;
    private long refused;

    RecordStore(int maxEntries, long maxBytes, int maxProvidersPerKey) {
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
        this.maxProvidersPerKey = maxProvidersPerKey;
    }

    /** Keeps a checked record unless a newer one of its place is held, or it does not fit. */
    Outcome put(Records.Signed record) {
        Records.Signed held = records.get(record.place());
        if (held != null) {
            if (!record.newerThan(held)) {
                return Outcome.KEPT_NEWER;
            }
            if (bytes - held.encoded().length + record.encoded().length > maxBytes) {
                refused++;
                return Outcome.FULL;
            }
            bytes -= held.encoded().length;
        } else if (entries() >= maxEntries || bytes + record.encoded().length > maxBytes) {
            refused++;
            return Outcome.FULL;
        }
        records.put(record.place(), record);
        bytes += record.encoded().length;
        return Outcome.STORED;
    }

    /** The record held for a place, if it has not expired. */
    Optional<Records.Signed> get(NodeId place, long now) {
        Records.Signed held = records.get(place);
        if (held != null && held.record().expiresAt().toEpochMilli() <= now) {
            records.remove(place);
            bytes -= held.encoded().length;
            return Optional.empty();
        }
        return Optional.ofNullable(held);
    }

    /** Keeps (or renews) a provider of {@code key} until {@code expiresAt}; false if refused for room. */
    boolean addProvider(NodeId key, NodeId provider, byte[] entry, long expiresAt) {
        LinkedHashMap<NodeId, Provided> of = providers.get(key);
        boolean renewal = of != null && of.containsKey(provider);
        if (!renewal && (entries() >= maxEntries || (of != null && of.size() >= maxProvidersPerKey))) {
            refused++;
            return false;
        }
        if (of == null) {
            of = new LinkedHashMap<>();
            providers.put(key, of);
        }
        if (of.put(provider, new Provided(entry, expiresAt)) == null) {
            providerEntries++;
        }
        return true;
    }

    /** The entries of the unexpired providers of {@code key}, oldest first. */
    List<byte[]> providers(NodeId key, long now) {
        LinkedHashMap<NodeId, Provided> of = providers.get(key);
        if (of == null) {
            return List.of();
        }
        List<byte[]> out = new ArrayList<>(of.size());
        for (Provided p : of.values()) {
            if (p.expiresAt > now) {
                out.add(p.entry);
            }
        }
        return out;
    }

    /** Drops everything expired at {@code now}. */
    void expire(long now) {
        for (Iterator<Records.Signed> it = records.values().iterator(); it.hasNext(); ) {
            Records.Signed r = it.next();
            if (r.record().expiresAt().toEpochMilli() <= now) {
                it.remove();
                bytes -= r.encoded().length;
            }
        }
        for (Iterator<LinkedHashMap<NodeId, Provided>> it = providers.values().iterator(); it.hasNext(); ) {
            LinkedHashMap<NodeId, Provided> of = it.next();
            int before = of.size();
            of.values().removeIf(p -> p.expiresAt <= now);
            providerEntries -= before - of.size();
            if (of.isEmpty()) {
                it.remove();
            }
        }
    }

    /** Every record held, for persistence and republishing. */
    List<Records.Signed> records() {
        return new ArrayList<>(records.values());
    }

    int entries() {
        return records.size() + providerEntries;
    }

    int recordCount() {
        return records.size();
    }

    int providerCount() {
        return providerEntries;
    }

    long bytes() {
        return bytes;
    }

    long refused() {
        return refused;
    }
}
