package gladius.p2p.ethstate.internal;

import gladius.p2p.ethstate.Entry;
import gladius.p2p.ethstate.Rejection;
import gladius.p2p.ethstate.internal.EntryCodec.Digest;
import gladius.p2p.ethstate.internal.EntryCodec.DigestItem;
import gladius.p2p.ethstate.internal.EntryCodec.Signed;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The verified entries, one per (address, key), last writer wins: the later timestamp, then the
 * larger signature bytewise, so that every node keeps the same one. Holds at most maxEntries.
 * Thread-safe.
 */
final class StateStore {

    /**
     * Where an offered entry stands against the one held: NEW_SLOT or NEWER would be applied;
     * DUPLICATE is the held entry byte for byte; OLDER loses to it (so does a copy with the held
     * entry's timestamp and signature but other contents, which no valid signature can make).
     */
    enum Standing { NEW_SLOT, NEWER, DUPLICATE, OLDER }

    /**
     * Where an entry is held: its signer's 20-byte address, packed into numbers (a lookup per
     * digest item must not make a string), and its key's hash.
     */
    private record Slot(long address0, long address8, int address16, long keyHash) {}

    private record Held(Signed signed, Entry entry) {}

    private final int maxEntries;
    private final Map<Slot, Held> entries = new HashMap<>();

    StateStore(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    private static Slot slot(byte[] address, long keyHash) {
        if (address.length != EntryCodec.ADDRESS_BYTES) {
            throw new IllegalArgumentException("address must be " + EntryCodec.ADDRESS_BYTES + " bytes, not " + address.length);
        }
        ByteBuffer bytes = ByteBuffer.wrap(address);
        return new Slot(bytes.getLong(0), bytes.getLong(8), bytes.getInt(16), keyHash);
    }

    private static Slot slot(Signed signed) {
        return slot(signed.address(), EntryCodec.keyHash(signed.key()));
    }

    synchronized Standing standing(Signed offered) {
        Held held = entries.get(slot(offered));
        return held == null ? Standing.NEW_SLOT : compare(offered, held.signed);
    }

    private static Standing compare(Signed offered, Signed held) {
        int byTime = Long.compare(offered.timestampMillis(), held.timestampMillis());
        int order = byTime != 0 ? byTime : Arrays.compareUnsigned(offered.signature(), held.signature());
        if (order == 0) {
            // Same slot, time and signature: a duplicate only if the signed bytes are the same too.
            return Arrays.equals(offered.payload(), held.payload()) ? Standing.DUPLICATE : Standing.OLDER;
        }
        return order > 0 ? Standing.NEWER : Standing.OLDER;
    }

    /**
     * Stores a verified entry unless, by now, it lost to the one held (STALE) or the store is
     * full (FULL).
     *
     * @return empty if stored
     */
    synchronized Optional<Rejection> apply(Signed signed, Entry entry) {
        Slot slot = slot(signed);
        Held held = entries.get(slot);
        if (held == null && entries.size() >= maxEntries) {
            return Optional.of(Rejection.FULL);
        }
        if (held != null && compare(signed, held.signed) != Standing.NEWER) {
            return Optional.of(Rejection.STALE);
        }
        entries.put(slot, new Held(signed, entry));
        return Optional.empty();
    }

    synchronized Optional<Entry> get(byte[] address, String key) {
        Held held = entries.get(slot(address, EntryCodec.keyHash(key)));
        return held != null && held.entry.key().equals(key) ? Optional.of(held.entry) : Optional.empty();
    }

    synchronized List<Entry> snapshot() {
        List<Entry> all = new ArrayList<>();
        entries.values().forEach(held -> all.add(held.entry));
        // Addresses are hex, whose case-insensitive order is that of their lower case, without making a string per comparison.
        all.sort(Comparator.comparing(Entry::address, String.CASE_INSENSITIVE_ORDER).thenComparing(Entry::key));
        return all;
    }

    synchronized int size() {
        return entries.size();
    }

    synchronized List<DigestItem> digest() {
        List<DigestItem> items = new ArrayList<>(entries.size());
        entries.forEach((slot, held) -> items.add(new DigestItem(held.signed.address(), slot.keyHash, held.signed.timestampMillis())));
        return items;
    }

    /** The entries a peer with this digest lacks, or holds an older version of. */
    synchronized List<Signed> missingFrom(Digest digest) {
        Map<Slot, Long> theirs = theirs(digest);
        List<Signed> missing = new ArrayList<>();
        entries.forEach((slot, held) -> {
            Long their = theirs.get(slot);
            if (their == null || their < held.signed.timestampMillis()) {
                missing.add(held.signed);
            }
        });
        return missing;
    }

    /** Whether a peer with this digest holds something this store lacks or holds older. */
    synchronized boolean lacksSomethingIn(Digest digest) {
        for (DigestItem item : digest.items()) {
            Held held = entries.get(slot(item.address(), item.keyHash()));
            if (held == null || held.signed.timestampMillis() < item.timestampMillis()) {
                return true;
            }
        }
        return false;
    }

    private static Map<Slot, Long> theirs(Digest digest) {
        Map<Slot, Long> theirs = new HashMap<>();
        for (DigestItem item : digest.items()) {
            theirs.merge(slot(item.address(), item.keyHash()), item.timestampMillis(), Math::max);
        }
        return theirs;
    }
}
