package gladius.p2p.ethstate.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Network;
import gladius.p2p.ethstate.Entry;
import gladius.p2p.ethstate.EthState;
import gladius.p2p.ethstate.Rejection;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.Cluster;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signed state on real networks on 127.0.0.1, with the plugin found through Network.create. */
class EthStateNetworkTest {

    private static final String KEY_E2 = "1da6847600b0ee25e9ad9a52abbd786dd2502fa4005dd5af9310b7cc7a3b25db";

    private static Map<String, String> settings(String... keyValues) {
        Map<String, String> settings = new HashMap<>(Map.of("provider", "kcp", "plugins", "ethstate",
                "ethstate.interval", "200ms"));
        for (int i = 0; i < keyValues.length; i += 2) {
            settings.put(keyValues[i], keyValues[i + 1]);
        }
        return settings;
    }

    private static EthState state(Network network) {
        return network.plugin(EthState.class).orElseThrow();
    }

    @Test
    void twentyNodesConvergeIncludingOneThatJoinsLate() {
        try (Cluster cluster = new Cluster()) {
            List<Network> nodes = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                nodes.add(cluster.start(settings()));
            }
            for (int i = 0; i < 20; i++) {
                for (int step : new int[] {1, 2, 5}) {
                    nodes.get(i).add(nodes.get((i + step) % 20).localAddress());
                }
            }
            long start = System.nanoTime();
            for (Network node : nodes) {
                for (int k = 0; k < 3; k++) {
                    state(node).put("key-" + k, ("value " + k + " from " + state(node).address()).getBytes(StandardCharsets.UTF_8));
                }
            }
            Network late = cluster.start(settings());
            late.add(nodes.get(0).localAddress());
            state(late).put("late", new byte[] {1});
            nodes.add(late);

            // A sanity bound with room for a loaded two-core machine (measured here: 0.1-1.7 s).
            Await.until("21 nodes to agree on 61 entries", Duration.ofSeconds(30), () -> agreed(nodes, 61),
                    () -> "sizes " + nodes.stream().map(n -> state(n).snapshot().size()).collect(Collectors.toList()));
            System.out.printf("ethstate: 21 nodes agreed on 61 entries in %d ms%n", (System.nanoTime() - start) / 1_000_000);
            for (Network node : nodes) {
                assertEquals(Map.of(), nonZero(state(node).rejections()), "honest nodes reject nothing");
            }
            Entry fromLate = state(nodes.get(7)).get(state(late).address(), "late").orElseThrow();
            assertArrayEquals(new byte[] {1}, fromLate.value());
        }
    }

    private static boolean agreed(List<Network> nodes, int entries) {
        List<Entry> first = state(nodes.get(0)).snapshot();
        return first.size() == entries && nodes.stream().allMatch(n -> state(n).snapshot().equals(first));
    }

    private static Map<Rejection, Long> nonZero(Map<Rejection, Long> counts) {
        return counts.entrySet().stream().filter(e -> e.getValue() != 0).collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    // ------------------------------------------------------------------ hostile entries, written by hand

    /** The documented payload, byte by byte. */
    private static byte[] payload(byte[] address, long timestamp, String key, byte[] value) {
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 20 + 8 + 2 + keyBytes.length + 4 + value.length).put((byte) 1).put(address)
                .putLong(timestamp).putShort((short) keyBytes.length).put(keyBytes).putInt(value.length).put(value).array();
    }

    private static byte[] message(byte[] payload, byte[] signature) {
        return ByteBuffer.allocate(3 + 4 + payload.length + 65).put((byte) 1).putShort((short) 1)
                .putInt(payload.length).put(payload).put(signature).array();
    }

    private static byte[] sign(Secp256k1.KeyPair key, byte[] payload) {
        return key.sign(Secp256k1.personalMessageHash(payload));
    }

    @Test
    void everyKindOfBadEntryIsRejectedCountedAndNeverApplied() {
        Secp256k1.KeyPair alice = Secp256k1.KeyPair.of(new BigInteger(KEY_E2, 16));
        Secp256k1.KeyPair mallory = Secp256k1.KeyPair.of(BigInteger.valueOf(7));
        String aliceAddress = Addresses.checksummed(alice.address());
        try (Cluster cluster = new Cluster()) {
            Network victim = cluster.start(settings());
            Network sender = cluster.start(Map.of("provider", "kcp", "plugins", "none"));
            long now = System.currentTimeMillis();
            List<byte[]> bodies = new ArrayList<>();

            byte[] current = payload(alice.address(), now, "name", "alice".getBytes(StandardCharsets.UTF_8));
            bodies.add(message(current, sign(alice, current))); // valid: applied

            byte[] older = payload(alice.address(), now - 1000, "name", "old".getBytes(StandardCharsets.UTF_8));
            bodies.add(message(older, sign(alice, older))); // an older version: superseded, not a rejection

            byte[] olderForged = payload(alice.address(), now - 2000, "name", "forged".getBytes(StandardCharsets.UTF_8));
            bodies.add(message(olderForged, sign(mallory, olderForged))); // WRONG_SIGNER: old, but forged all the same

            byte[] changed = payload(alice.address(), now, "name", "alicX".getBytes(StandardCharsets.UTF_8));
            bodies.add(message(changed, sign(alice, current))); // WRONG_SIGNER: the held entry's signature on another value

            byte[] badV = sign(alice, payload(alice.address(), now + 1, "v", new byte[1]));
            badV[64] = 29;
            bodies.add(message(payload(alice.address(), now + 1, "v", new byte[1]), badV)); // BAD_SIGNATURE

            byte[] zeroR = sign(alice, payload(alice.address(), now + 1, "r", new byte[1]));
            java.util.Arrays.fill(zeroR, 0, 32, (byte) 0);
            bodies.add(message(payload(alice.address(), now + 1, "r", new byte[1]), zeroR)); // BAD_SIGNATURE

            byte[] lowS = payload(alice.address(), now + 2, "s", new byte[1]);
            bodies.add(message(lowS, highS(sign(alice, lowS)))); // HIGH_S: the malleated twin of a valid signature

            byte[] claimsAlice = payload(alice.address(), now + 3, "name", "mallory".getBytes(StandardCharsets.UTF_8));
            bodies.add(message(claimsAlice, sign(mallory, claimsAlice))); // WRONG_SIGNER

            byte[] signed = payload(alice.address(), now + 4, "name", "alice".getBytes(StandardCharsets.UTF_8));
            byte[] signature = sign(alice, signed);
            byte[] tampered = payload(alice.address(), now + 4, "name", "alicf".getBytes(StandardCharsets.UTF_8));
            bodies.add(message(tampered, signature)); // WRONG_SIGNER: the value changed after signing

            byte[] future = payload(alice.address(), now + Duration.ofHours(1).toMillis(), "later", new byte[1]);
            bodies.add(message(future, sign(alice, future))); // FUTURE

            bodies.add(new byte[] {1, 0, 1, 0, 0, 0, 9}); // MALFORMED: truncated
            byte[] random = new byte[500];
            new java.util.Random(3).nextBytes(random);
            bodies.add(random); // MALFORMED

            for (byte[] body : bodies) {
                sender.broadcast(sender.newMessage(EthState.ENTRIES, body), victim.localAddress());
            }
            sender.broadcast(sender.newMessage("ethstate/unknown", new byte[] {1}), victim.localAddress());
            sender.broadcast(sender.newMessage(EthState.DIGEST, new byte[] {1, 0, 0x7f, 0, 0, 0}), victim.localAddress());

            Map<Rejection, Long> expected = Map.of(Rejection.BAD_SIGNATURE, 2L, Rejection.HIGH_S, 1L,
                    Rejection.WRONG_SIGNER, 4L, Rejection.FUTURE, 1L, Rejection.MALFORMED, 4L);
            Await.until("every bad entry to be counted", () -> nonZero(state(victim).rejections()).equals(expected),
                    () -> "" + nonZero(state(victim).rejections()));
            assertEquals(1, state(victim).superseded(), "the validly signed older version");
            assertEquals(1, state(victim).snapshot().size(), "only the one valid entry was applied");
            assertArrayEquals("alice".getBytes(StandardCharsets.UTF_8), state(victim).get(aliceAddress, "name").orElseThrow().value());
            assertEquals(0, victim.networkState().pluginFailures());
        }
    }

    /** The same signature with s replaced by n - s and the recovery id flipped: still valid ECDSA, but malleated. */
    private static byte[] highS(byte[] signature) {
        BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(signature, 32, 64));
        byte[] high = org.bouncycastle.util.BigIntegers.asUnsignedByteArray(32, Secp256k1.N.subtract(s));
        byte[] out = signature.clone();
        System.arraycopy(high, 0, out, 32, 32);
        out[64] = (byte) (signature[64] == 27 ? 28 : 27);
        return out;
    }

    @Test
    void anAllowListRefusesEveryOtherSigner() {
        Secp256k1.KeyPair alice = Secp256k1.KeyPair.of(new BigInteger(KEY_E2, 16));
        Secp256k1.KeyPair bob = Secp256k1.KeyPair.of(BigInteger.valueOf(11));
        try (Cluster cluster = new Cluster()) {
            Network victim = cluster.start(settings("ethstate.allow", Addresses.checksummed(alice.address())));
            Network sender = cluster.start(Map.of("provider", "kcp", "plugins", "none"));
            long now = System.currentTimeMillis();
            for (Secp256k1.KeyPair who : List.of(bob, alice)) {
                byte[] payload = payload(who.address(), now, "k", new byte[] {2});
                sender.broadcast(sender.newMessage(EthState.ENTRIES, message(payload, sign(who, payload))), victim.localAddress());
            }
            Await.until("alice's entry to be applied", () -> state(victim).snapshot().size() == 1);
            assertEquals(Addresses.checksummed(alice.address()), state(victim).snapshot().get(0).address());
            Await.until("bob's entry to be refused", () -> state(victim).rejections().get(Rejection.NOT_ALLOWED) == 1);
        }
    }

    /** A plugin registered after ethstate: once it hears the marker, ethstate has handled every message before it. */
    private static List<String> markers(Network victim) {
        List<String> heard = new CopyOnWriteArrayList<>();
        victim.registerPlugin(new gladius.p2p.Plugin() {
            @Override
            public void newMessage(gladius.p2p.Message message) {
                heard.add(message.type());
            }
        });
        return heard;
    }

    private static void sendThenMarker(Network sender, Network victim, List<String> heard, List<byte[]> bodies) {
        for (byte[] body : bodies) {
            sender.broadcast(sender.newMessage(EthState.ENTRIES, body), victim.localAddress());
        }
        String marker = "test/marker-" + heard.size();
        sender.broadcast(sender.newMessage(marker, new byte[0]), victim.localAddress());
        Await.until("the marker after the entries", () -> heard.contains(marker));
    }

    @Test
    void anEntrySignedElsewhereIsCheckedLikeAReceivedOneAndSpreads() {
        Secp256k1.KeyPair wallet = Secp256k1.KeyPair.of(new BigInteger(KEY_E2, 16)); // stands for a wallet or hardware key
        String walletAddress = Addresses.checksummed(wallet.address());
        try (Cluster cluster = new Cluster()) {
            Network a = cluster.start(settings());
            Network b = cluster.start(settings());
            a.add(b.localAddress());
            long now = System.currentTimeMillis();
            Entry unsigned = new Entry(walletAddress, "profile", "hello".getBytes(StandardCharsets.UTF_8), now, new byte[65]);
            byte[] signature = sign(wallet, unsigned.payload()); // the wallet signs Entry.payload() as a personal message
            Entry entry = new Entry(walletAddress, "profile", "hello".getBytes(StandardCharsets.UTF_8), now, signature);

            assertEquals(Optional.empty(), state(a).putSigned(entry));
            assertEquals(Optional.of(entry), state(a).get(walletAddress, "profile"));
            Await.until("the entry at the other node", () -> state(b).get(walletAddress, "profile").isPresent());
            assertEquals(entry, state(b).get(walletAddress, "profile").orElseThrow());
            assertEquals(Optional.empty(), state(a).putSigned(entry), "held already, byte for byte");

            Entry changed = new Entry(walletAddress, "profile", "hellX".getBytes(StandardCharsets.UTF_8), now, signature);
            assertEquals(Optional.of(Rejection.WRONG_SIGNER), state(a).putSigned(changed));
            Entry older = new Entry(walletAddress, "profile", "old".getBytes(StandardCharsets.UTF_8), now - 1,
                    sign(wallet, new Entry(walletAddress, "profile", "old".getBytes(StandardCharsets.UTF_8), now - 1, new byte[65]).payload()));
            assertEquals(Optional.of(Rejection.STALE), state(a).putSigned(older), "a newer version is held");
            Entry tooLongKey = new Entry(walletAddress, "k".repeat(256), new byte[1], now, signature);
            assertEquals(Optional.of(Rejection.MALFORMED), state(a).putSigned(tooLongKey));
            assertEquals(Map.of(), nonZero(state(a).rejections()), "refusals of offered entries are returned, not counted");

            // Entry.payload() is exactly what put signed: an entry of the node's own recovers to its address.
            Entry own = state(a).put("own", new byte[] {1, 2, 3});
            byte[] recovered = Secp256k1.recoverAddress(Secp256k1.personalMessageHash(own.payload()), own.signature()).orElseThrow();
            assertEquals(state(a).address(), Addresses.checksummed(recovered));
        }
    }

    @Test
    void theLastWriterWinsAndEqualTimestampsGoToTheLargerSignatureWhateverTheOrderOfArrival() {
        Secp256k1.KeyPair alice = Secp256k1.KeyPair.of(new BigInteger(KEY_E2, 16));
        String aliceAddress = Addresses.checksummed(alice.address());
        long now = System.currentTimeMillis();
        byte[] older = payload(alice.address(), now - 2000, "name", "older".getBytes(StandardCharsets.UTF_8));
        byte[] newer = payload(alice.address(), now - 1000, "name", "newer".getBytes(StandardCharsets.UTF_8));
        // Two different values signed with the same timestamp: a tie only the signatures can break.
        byte[] tieA = payload(alice.address(), now, "tie", "a".getBytes(StandardCharsets.UTF_8));
        byte[] tieB = payload(alice.address(), now, "tie", "b".getBytes(StandardCharsets.UTF_8));
        byte[] signatureA = sign(alice, tieA);
        byte[] signatureB = sign(alice, tieB);
        String tieWinner = java.util.Arrays.compareUnsigned(signatureA, signatureB) > 0 ? "a" : "b";
        List<byte[]> inOrder = List.of(message(older, sign(alice, older)), message(newer, sign(alice, newer)),
                message(tieA, signatureA), message(tieB, signatureB));
        List<byte[]> reversed = new ArrayList<>(inOrder);
        java.util.Collections.reverse(reversed);
        try (Cluster cluster = new Cluster()) {
            Network sender = cluster.start(Map.of("provider", "kcp", "plugins", "none"));
            for (List<byte[]> arrival : List.of(inOrder, reversed)) {
                Network victim = cluster.start(settings());
                List<String> heard = markers(victim);
                sendThenMarker(sender, victim, heard, arrival);
                assertEquals("newer", new String(state(victim).get(aliceAddress, "name").orElseThrow().value(), StandardCharsets.UTF_8));
                assertEquals(tieWinner, new String(state(victim).get(aliceAddress, "tie").orElseThrow().value(), StandardCharsets.UTF_8),
                        "the larger signature, bytewise, wins a tie");
                // What arrives after the entry that beats it is stale: in order, the tie's loser if it came second;
                // reversed, the older value, and the tie's loser if it came second there.
                boolean inOrderArrival = arrival == inOrder;
                long staleExpected = (inOrderArrival ? 0 : 1) + (tieWinner.equals(inOrderArrival ? "a" : "b") ? 1 : 0);
                assertEquals(staleExpected, state(victim).superseded(), "what lost on arrival is counted as superseded");
                assertEquals(Map.of(), nonZero(state(victim).rejections()), "and is not a rejection: these are honest relays");
            }
        }
    }

    @Test
    void aFullStoreRefusesNewKeysButStillTakesNewerValuesOfHeldOnes() {
        Secp256k1.KeyPair alice = Secp256k1.KeyPair.of(new BigInteger(KEY_E2, 16));
        String aliceAddress = Addresses.checksummed(alice.address());
        long now = System.currentTimeMillis();
        try (Cluster cluster = new Cluster()) {
            Network victim = cluster.start(settings("ethstate.max-entries", "2"));
            Network sender = cluster.start(Map.of("provider", "kcp", "plugins", "none"));
            List<String> heard = markers(victim);
            List<byte[]> bodies = new ArrayList<>();
            for (String key : List.of("one", "two", "three")) {
                byte[] payload = payload(alice.address(), now - 1000, key, new byte[] {1});
                bodies.add(message(payload, sign(alice, payload)));
            }
            byte[] update = payload(alice.address(), now, "one", new byte[] {2});
            bodies.add(message(update, sign(alice, update)));
            sendThenMarker(sender, victim, heard, bodies);
            assertEquals(Map.of(Rejection.FULL, 1L), nonZero(state(victim).rejections()));
            assertEquals(2, state(victim).snapshot().size());
            assertTrue(state(victim).get(aliceAddress, "three").isEmpty(), "the third key did not fit");
            assertArrayEquals(new byte[] {2}, state(victim).get(aliceAddress, "one").orElseThrow().value(), "a held key still moves on");
        }
    }

    @Test
    void timestampsFurtherAheadThanTheClockSkewAreRefusedAndNearerOnesTaken() {
        Secp256k1.KeyPair alice = Secp256k1.KeyPair.of(new BigInteger(KEY_E2, 16));
        String aliceAddress = Addresses.checksummed(alice.address());
        try (Cluster cluster = new Cluster()) {
            Network victim = cluster.start(settings("ethstate.max-clock-skew", "5s"));
            Network sender = cluster.start(Map.of("provider", "kcp", "plugins", "none"));
            List<String> heard = markers(victim);
            long now = System.currentTimeMillis();
            byte[] near = payload(alice.address(), now + 1000, "near", new byte[] {1});   // 1 s ahead: within 5 s
            byte[] far = payload(alice.address(), now + 60_000, "far", new byte[] {1});   // a minute ahead
            sendThenMarker(sender, victim, heard, List.of(message(near, sign(alice, near)), message(far, sign(alice, far))));
            assertEquals(Map.of(Rejection.FUTURE, 1L), nonZero(state(victim).rejections()));
            assertTrue(state(victim).get(aliceAddress, "near").isPresent());
            assertTrue(state(victim).get(aliceAddress, "far").isEmpty());
        }
    }

    /**
     * The plugin stamps its entries, and judges others' for the clock skew, on its network's clock
     * (Network#clock), not the system's: a network six years behind stamps its entries then, and
     * finds an entry signed by the system's clock now too far ahead.
     */
    @Test
    void entriesAreStampedAndJudgedOnTheNetworksClock() {
        Secp256k1.KeyPair wallet = Secp256k1.KeyPair.of(new BigInteger(KEY_E2, 16));
        String walletAddress = Addresses.checksummed(wallet.address());
        Instant then = Instant.parse("2020-01-01T00:00:00Z");
        try (Cluster cluster = new Cluster()) {
            Network network = cluster.start(Map.of("provider", "kcp", "plugins", "none"));
            EthStatePlugin plugin = new EthStatePlugin(EthStateSettings.from(Map.of("ethstate.max-clock-skew", "5s")));
            plugin.startup(withClock(network, InstantSource.fixed(then)));
            assertEquals(then, plugin.put("own", new byte[] {1}).timestamp());

            long now = System.currentTimeMillis();
            Entry unsigned = new Entry(walletAddress, "now", new byte[] {1}, now, new byte[65]);
            Entry entry = new Entry(walletAddress, "now", new byte[] {1}, now, sign(wallet, unsigned.payload()));
            assertEquals(Optional.of(Rejection.FUTURE), plugin.putSigned(entry));
            assertEquals(Optional.empty(), state(cluster.start(settings())).putSigned(entry), "on the system's clock it is not");
            plugin.close();
        }
    }

    /** The network, but on {@code clock}: what a simulated network gives its plugins. */
    private static Network withClock(Network network, InstantSource clock) {
        return (Network) Proxy.newProxyInstance(Network.class.getClassLoader(), new Class<?>[] {Network.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("clock") && method.getParameterCount() == 0) {
                        return clock;
                    }
                    try {
                        return method.invoke(network, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    // ------------------------------------------------------------------ keys and settings

    @Test
    void theKeyComesFromHexFromAKeystoreOrIsFresh(@TempDir Path dir) throws IOException {
        Path keystore = dir.resolve("scrypt.json");
        try (InputStream in = getClass().getResourceAsStream("/keystore-scrypt.json")) {
            Files.write(keystore, in.readAllBytes());
        }
        try (Cluster cluster = new Cluster()) {
            assertEquals("0x71CB05EE1b1F506fF321Da3dac38f25c0c9ce6E1",
                    state(cluster.start(settings("ethstate.private-key", "0x" + KEY_E2))).address());
            assertEquals("0x008AeEda4D805471dF9b2A5B0f38A0C3bCBA786b",
                    state(cluster.start(settings("ethstate.keystore", keystore.toString(), "ethstate.password", "testpassword"))).address());
            String fresh = state(cluster.start(settings())).address();
            assertTrue(fresh.matches("0x[0-9a-fA-F]{40}"), fresh);
            assertNotEquals(fresh, state(cluster.start(settings())).address());
        }
    }

    @Test
    void badSettingsNameTheSettingAndNeverEchoASecret() {
        String secret = "zz" + KEY_E2.substring(2);
        Map<String[], String> cases = new java.util.LinkedHashMap<>();
        cases.put(new String[] {"ethstate.private-key", secret}, "ethstate.private-key");
        cases.put(new String[] {"ethstate.keystore", "/no/such/keystore.json", "ethstate.password", "x"}, "ethstate.keystore");
        cases.put(new String[] {"ethstate.keystore", "/no/such/keystore.json"}, "ethstate.password");
        cases.put(new String[] {"ethstate.password", "x"}, "ethstate.password");
        cases.put(new String[] {"ethstate.private-key", KEY_E2, "ethstate.keystore", "k.json"}, "ethstate.keystore");
        cases.put(new String[] {"ethstate.allow", "0x1234"}, "ethstate.allow");
        cases.put(new String[] {"ethstate.max-entries", "20001"}, "ethstate.max-entries");
        cases.put(new String[] {"ethstate.color", "blue"}, "ethstate.color");
        cases.forEach((keyValues, named) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Network.create(settings(keyValues)).close());
            assertTrue(e.getMessage().contains(named), e.getMessage());
            assertFalse(e.getMessage().contains(secret), "the key is never echoed: " + e.getMessage());
        });
    }

    @Test
    void listenersHearLocalAndReceivedEntriesUntilRemoved() {
        try (Cluster cluster = new Cluster()) {
            Network a = cluster.start(settings());
            Network b = cluster.start(settings());
            a.add(b.localAddress());
            List<Entry> heard = new CopyOnWriteArrayList<>();
            Consumer<Entry> listener = heard::add;
            state(b).addListener(listener);
            state(b).put("mine", new byte[] {1});
            Await.until("a's session to b", () -> a.networkState().peer(b.localAddress()).map(p -> p.connected()).orElse(false));
            Entry theirs = state(a).put("theirs", new byte[] {2});
            Await.until("b to hear a's entry", () -> heard.contains(theirs));
            assertEquals("mine", heard.get(0).key());

            // Listeners are told in the order they were added, after the entry is applied: once a witness added
            // after the first has heard the next entry, the first would have heard it too, had it stayed.
            List<Entry> witnessed = new CopyOnWriteArrayList<>();
            state(b).addListener(witnessed::add);
            state(b).removeListener(listener);
            Entry unheard = state(a).put("unheard", new byte[] {3});
            Await.until("the witness to hear the next entry", () -> witnessed.contains(unheard));
            assertFalse(heard.contains(unheard), "a removed listener hears nothing more");
            assertThrows(IllegalArgumentException.class, () -> state(a).put("", new byte[0]));
            assertThrows(IllegalArgumentException.class, () -> state(a).put("k", new byte[16_385]));
        }
    }
}
