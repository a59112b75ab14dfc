package gladius.p2p.ethstate.internal;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.Plugin;
import gladius.p2p.ethstate.Entry;
import gladius.p2p.ethstate.EthState;
import gladius.p2p.ethstate.EthStateMXBean;
import gladius.p2p.ethstate.Rejection;
import gladius.p2p.ethstate.internal.EntryCodec.Digest;
import gladius.p2p.ethstate.internal.EntryCodec.Signed;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * The ethstate plugin (see {@link EthState} for the format and the rules). Signatures are checked
 * outside the store's lock; the store re-checks an entry's standing when it applies it, so two
 * threads racing with versions of one entry still keep the winner.
 */
final class EthStatePlugin implements Plugin, EthState, EthStateMXBean {

    private static final System.Logger LOG = System.getLogger(EthStatePlugin.class.getName());
    /** Entries messages are cut to this size, well under the transport's default message limit. */
    private static final int MAX_ENTRIES_BODY = 256 * 1024;

    private final EthStateSettings settings;
    private final String address;
    private final StateStore store;
    private final AtomicLongArray rejected = new AtomicLongArray(Rejection.values().length);
    private final AtomicLong superseded = new AtomicLong();
    private final List<Consumer<Entry>> listeners = new CopyOnWriteArrayList<>();
    private final Object putLock = new Object();
    private long lastPutMillis; // guarded by putLock

    // Guarded by this.
    private Network network;
    private boolean closed;

    EthStatePlugin(EthStateSettings settings) {
        this.settings = settings;
        this.address = Addresses.checksummed(settings.key().address());
        this.store = new StateStore(settings.maxEntries());
        if (settings.generated()) {
            LOG.log(System.Logger.Level.INFO, "ethstate: no key was given (ethstate.private-key or ethstate.keystore); "
                    + "this run signs with a fresh key, address {0}", address);
        }
    }

    // ------------------------------------------------------------------ plugin callbacks

    @Override
    public void startup(Network network) {
        synchronized (this) {
            this.network = network;
        }
        scheduleRound(Duration.ofMillis(network.random().nextLong(1 + settings.interval().toMillis() / 10)));
    }

    @Override
    public void newMessage(Message message) {
        if (!message.type().startsWith(TYPE_PREFIX)) {
            return;
        }
        try {
            switch (message.type()) {
                case ENTRIES -> onEntries(message);
                case DIGEST -> onDigest(message);
                default -> count(Rejection.MALFORMED);
            }
        } catch (IllegalStateException closing) {
            LOG.log(System.Logger.Level.DEBUG, "ethstate dropped {0}: {1}", message.type(), closing.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    // ------------------------------------------------------------------ EthState

    // ---------------------------------------------------------------- EthStateMXBean

    @Override
    public String getSignerAddress() {
        return address();
    }

    @Override
    public int getEntries() {
        return store.size();
    }

    @Override
    public long getSuperseded() {
        return superseded();
    }

    @Override
    public Map<String, Long> getRejections() {
        Map<String, Long> out = new TreeMap<>();
        rejections().forEach((reason, count) -> out.put(reason.name(), count));
        return out;
    }

    // ---------------------------------------------------------------- EthState

    @Override
    public String address() {
        return address;
    }

    @Override
    public Entry put(String key, byte[] value) {
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        if (keyBytes.length == 0 || keyBytes.length > EntryCodec.MAX_KEY_BYTES) {
            throw new IllegalArgumentException("key must be 1 to " + EntryCodec.MAX_KEY_BYTES + " bytes of UTF-8: " + keyBytes.length);
        }
        if (value.length > settings.maxValueBytes()) {
            throw new IllegalArgumentException("value is " + value.length + " bytes, over ethstate.max-value-bytes ("
                    + settings.maxValueBytes() + ")");
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("ethstate is closed: its network closed");
            }
        }
        Signed signed;
        Entry entry;
        synchronized (putLock) {
            // Strictly increasing, so two puts in one millisecond still order.
            long timestamp = Math.max(clock().millis(), lastPutMillis + 1);
            lastPutMillis = timestamp;
            byte[] payload = EntryCodec.payload(settings.key().address(), timestamp, keyBytes, value.clone());
            byte[] signature = settings.key().sign(Secp256k1.personalMessageHash(payload));
            signed = new Signed(settings.key().address(), timestamp, key, value.clone(), payload, signature);
            entry = new Entry(address, key, value, timestamp, signature);
            Optional<Rejection> refused = store.apply(signed, entry);
            if (refused.isPresent()) {
                throw new IllegalStateException("the store refused this node's own entry: " + refused.get()
                        + " (ethstate.max-entries is " + settings.maxEntries() + ")");
            }
        }
        notifyListeners(entry);
        // Before startup (the plugin starts on the dispatcher, just after listen) there is no one to
        // push to yet; the entry is stored, and anti-entropy spreads it from the first round.
        Network net = networkIfOpen();
        if (net != null) {
            for (byte[] body : EntryCodec.entriesMessages(List.of(signed), MAX_ENTRIES_BODY)) {
                net.broadcast(net.newMessage(ENTRIES, body));
            }
        }
        return entry;
    }

    @Override
    public Optional<Entry> get(String address, String key) {
        return store.get(Addresses.parse(address), key);
    }

    @Override
    public List<Entry> snapshot() {
        return store.snapshot();
    }

    @Override
    public int size() {
        return store.size();
    }

    @Override
    public void addListener(Consumer<Entry> listener) {
        listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void removeListener(Consumer<Entry> listener) {
        listeners.remove(listener);
    }

    @Override
    public long superseded() {
        return superseded.get();
    }

    @Override
    public Optional<Rejection> putSigned(Entry entry) {
        Objects.requireNonNull(entry, "entry");
        Network net;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("ethstate is closed: its network closed");
            }
            net = network;
        }
        byte[] value = entry.value();
        byte[] payload;
        try {
            payload = entry.payload();
        } catch (IllegalArgumentException unfit) {
            return Optional.of(Rejection.MALFORMED); // what the wire format cannot carry
        }
        if (value.length > settings.maxValueBytes()) {
            return Optional.of(Rejection.MALFORMED);
        }
        byte[] signer = Addresses.parse(entry.address());
        Signed signed = new Signed(signer, entry.timestampMillis(), entry.key(), value, payload, entry.signature());
        Outcome outcome = admit(signed);
        if (outcome.applied() != null && net != null) {
            for (byte[] body : EntryCodec.entriesMessages(List.of(signed), MAX_ENTRIES_BODY)) {
                net.broadcast(net.newMessage(ENTRIES, body));
            }
        }
        return Optional.ofNullable(outcome.refusal());
    }

    @Override
    public Map<Rejection, Long> rejections() {
        Map<Rejection, Long> counts = new EnumMap<>(Rejection.class);
        for (Rejection reason : Rejection.values()) {
            counts.put(reason, rejected.get(reason.ordinal()));
        }
        return counts;
    }

    // ------------------------------------------------------------------ receiving

    private void onEntries(Message message) {
        Optional<List<Signed>> entries = EntryCodec.parseEntries(message.body(), settings.maxValueBytes());
        if (entries.isEmpty()) {
            count(Rejection.MALFORMED);
            return;
        }
        List<Signed> fresh = new ArrayList<>();
        for (Signed signed : entries.get()) {
            receive(signed).ifPresent(entry -> fresh.add(signed));
        }
        Network net = networkIfOpen();
        if (net != null && !fresh.isEmpty()) {
            // Rumor: what was new here is probably new to others too.
            for (byte[] body : EntryCodec.entriesMessages(fresh, MAX_ENTRIES_BODY)) {
                net.broadcastRandomly(net.newMessage(ENTRIES, body), settings.fanout());
            }
        }
    }

    /** A received entry, checked: counted as a refusal, as superseded, or returned if it is new here. */
    private Optional<Entry> receive(Signed signed) {
        Outcome outcome = admit(signed);
        if (outcome.refusal() == Rejection.STALE) {
            superseded.incrementAndGet();
        } else if (outcome.refusal() != null) {
            count(outcome.refusal());
        }
        return Optional.ofNullable(outcome.applied());
    }

    /** What became of an entry: applied (it is new here), refused and why, or neither (held already, byte for byte). */
    private record Outcome(Entry applied, Rejection refusal) {
        static final Outcome HELD = new Outcome(null, null);

        static Outcome refused(Rejection reason) {
            return new Outcome(null, reason);
        }
    }

    /** Checks one entry in the documented order and applies it if it is new; the same for received and offered entries. */
    private Outcome admit(Signed signed) {
        String signer = HexFormat.of().formatHex(signed.address());
        if (!settings.allow().isEmpty() && !settings.allow().contains(signer)) {
            return Outcome.refused(Rejection.NOT_ALLOWED);
        }
        long skewMillis = settings.maxClockSkew().toMillis();
        if (signed.timestampMillis() > clock().millis() + skewMillis) {
            return Outcome.refused(Rejection.FUTURE);
        }
        StateStore.Standing standing = store.standing(signed);
        if (standing == StateStore.Standing.DUPLICATE) {
            return Outcome.HELD; // anti-entropy resends what peers hold: not an offence, and nothing to check again
        }
        switch (Secp256k1.checkForm(signed.signature())) {
            case BAD:
                return Outcome.refused(Rejection.BAD_SIGNATURE);
            case HIGH_S:
                return Outcome.refused(Rejection.HIGH_S);
            default:
                break;
        }
        Optional<byte[]> recovered = Signers.recoverAddress(Secp256k1.personalMessageHash(signed.payload()), signed.signature());
        if (recovered.isEmpty()) {
            return Outcome.refused(Rejection.BAD_SIGNATURE);
        }
        if (!Arrays.equals(recovered.get(), signed.address())) {
            return Outcome.refused(Rejection.WRONG_SIGNER);
        }
        if (standing == StateStore.Standing.OLDER) {
            return Outcome.refused(Rejection.STALE); // checked first, so a forged old copy counts as forged
        }
        Entry entry = new Entry(Addresses.checksummed(signed.address()), signed.key(), signed.value(),
                signed.timestampMillis(), signed.signature());
        Optional<Rejection> refused = store.apply(signed, entry);
        if (refused.isPresent()) {
            return Outcome.refused(refused.get());
        }
        notifyListeners(entry);
        return new Outcome(entry, null);
    }

    private void onDigest(Message message) {
        Optional<Digest> digest = EntryCodec.parseDigest(message.body(), settings.maxEntries());
        if (digest.isEmpty()) {
            count(Rejection.MALFORMED);
            return;
        }
        Network net = networkIfOpen();
        if (net == null) {
            return;
        }
        NodeAddress from = message.sender();
        for (byte[] body : EntryCodec.entriesMessages(store.missingFrom(digest.get()), MAX_ENTRIES_BODY)) {
            net.broadcast(net.newMessage(ENTRIES, body), from);
        }
        if (!digest.get().reply() && store.lacksSomethingIn(digest.get())) {
            net.broadcast(net.newMessage(DIGEST, EntryCodec.digest(true, store.digest())), from);
        }
    }

    // ------------------------------------------------------------------ anti-entropy

    /** The next round, serial with the callbacks (Network#schedule); none once the network closes or drops this plugin. */
    private void scheduleRound(Duration delay) {
        Network net = networkIfOpen();
        if (net == null) {
            return;
        }
        try {
            net.schedule(this, delay, () -> {
                try {
                    round();
                } finally {
                    long interval = settings.interval().toNanos();
                    scheduleRound(Duration.ofNanos(interval + net.random().nextLong(-interval / 10, interval / 10 + 1)));
                }
            });
        } catch (IllegalStateException | IllegalArgumentException ended) {
            LOG.log(System.Logger.Level.DEBUG, "ethstate rounds end: {0}", ended.getMessage());
        }
    }

    /** Sends this node's digest to a few random peers; they answer with what it lacks and ask for what they lack. */
    private void round() {
        Network net = networkIfOpen();
        if (net == null) {
            return;
        }
        try {
            net.broadcastRandomly(net.newMessage(DIGEST, EntryCodec.digest(false, store.digest())), settings.fanout());
        } catch (IllegalStateException closing) {
            LOG.log(System.Logger.Level.DEBUG, "ethstate round skipped: {0}", closing.getMessage());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "ethstate round failed", e);
        }
    }

    // ------------------------------------------------------------------ helpers

    private void count(Rejection reason) {
        rejected.incrementAndGet(reason.ordinal());
    }

    private void notifyListeners(Entry entry) {
        for (Consumer<Entry> listener : listeners) {
            try {
                listener.accept(entry);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "an ethstate listener threw", e);
            }
        }
    }

    private synchronized Network networkIfOpen() {
        return closed ? null : network;
    }

    /** The network's clock (Network#clock): entries are stamped and judged on it; the system's before startup. */
    private synchronized InstantSource clock() {
        return network == null ? InstantSource.system() : network.clock();
    }
}
