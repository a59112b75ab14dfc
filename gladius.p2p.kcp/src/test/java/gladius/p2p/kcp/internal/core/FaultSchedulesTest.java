package gladius.p2p.kcp.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import gladius.p2p.Message;
import gladius.p2p.NetworkState;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Mixed fault schedules on the protocol core, one seed each, in the way of FoundationDB's and
 * TigerBeetle's simulation testing: from the seed come the mode, two to five nodes, the link's
 * latency, jitter, loss and duplicates, a stream of messages of up to three datagrams each
 * between random pairs, and cuts between pairs of nodes that heal later. The rules a user relies
 * on ({@link #check}) are checked every five virtual seconds once the messages stop, over all that
 * arrived since the start, and at the end.
 *
 * <p>Each run draws new seeds, {@value #DEFAULT_SEEDS} by default ({@code -Dgladius.sim.seeds=N}
 * for more); a failure names its seed, and {@code -Dgladius.sim.seed=S} runs that seed alone and
 * gives the same run again, byte for byte (docs/TESTING.md).
 */
class FaultSchedulesTest {

    private static final int DEFAULT_SEEDS = 200;
    /** Messages are sent for this long; then the network has a minute to settle (every cut heals within it). */
    private static final long TRAFFIC_MILLIS = 20_000;
    /** A cut lasts at most this long: less than kcp.dead-peer-timeout (10 s), so no session may end for it. */
    private static final long LONGEST_CUT_MILLIS = 6_000;

    @TestFactory
    Stream<DynamicTest> mixedFaultSchedules() {
        String one = System.getProperty("gladius.sim.seed", "");
        LongStream seeds = one.isBlank()
                ? new SplittableRandom().longs(Integer.getInteger("gladius.sim.seeds", DEFAULT_SEEDS))
                : LongStream.of(Long.parseLong(one.trim()));
        return seeds.mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> {
            try {
                run(seed);
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + " (replay: mvn test -pl gladius.p2p.kcp -Dtest=FaultSchedulesTest"
                        + " -Dgladius.sim.seed=" + seed + "): " + e.getMessage(), e);
            }
        }));
    }

    /** How many messages one scenario sent, per ordered pair of nodes ("from>to"). */
    private static final class Ledger {
        final Map<String, Integer> sent = new HashMap<>();
    }

    /** One seed, the same run: every datagram, byte for byte, of schedules with every kind of fault. */
    @Test
    void aSeedGivesTheSameRunTwice() {
        for (long seed = 1; seed <= 8; seed++) {
            assertEquals(run(seed), run(seed), "seed " + seed);
        }
        assertNotEquals(run(1), run(2));
    }

    /** Runs the scenario of {@code seed}; returns the hash of its trace (VirtualNet#traceHash). */
    private static String run(long seed) {
        SplittableRandom plan = new SplittableRandom(seed);
        int latency = 1 + plan.nextInt(120);
        int jitter = plan.nextInt(40);
        double loss = plan.nextDouble() * 0.15;
        double duplicates = plan.nextDouble() * 0.05;
        String link = String.format(java.util.Locale.ROOT, "latency %d ms + up to %d, loss %.1f %%, duplicates %.1f %%",
                latency, jitter, loss * 100, duplicates * 100);
        try (VirtualNet net = new VirtualNet(seed).latency(latency).jitter(jitter).loss(loss).duplicates(duplicates)) {
            run(plan, net, link);
            return net.traceHash();
        }
    }

    private static void run(SplittableRandom plan, VirtualNet net, String link) {
        boolean secure = plan.nextBoolean();
        int size = 2 + plan.nextInt(4);
        List<VirtualNet.Node> nodes = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            nodes.add(net.node(i, "kcp.secure", Boolean.toString(secure)));
        }
        for (VirtualNet.Node a : nodes) {
            for (VirtualNet.Node b : nodes) {
                if (a != b) {
                    a.add(b, null);
                }
            }
        }
        Ledger ledger = new Ledger();
        for (long t = plan.nextInt(200); t < TRAFFIC_MILLIS; t += 1 + plan.nextInt(100)) {
            VirtualNet.Node from = nodes.get(plan.nextInt(size));
            VirtualNet.Node to = nodes.get((nodes.indexOf(from) + 1 + plan.nextInt(size - 1)) % size);
            int length = plan.nextInt(4_000);
            net.at(t, () -> {
                String pair = from.nodeAddress() + ">" + to.nodeAddress();
                int number = ledger.sent.merge(pair, 1, Integer::sum) - 1;
                assertTrue(from.send(to, "m", body(number, length)), "a queue with room takes a message");
            });
        }
        // One cut at a time, with at least a few keepalives' worth of time between two: a pair
        // never goes longer than LONGEST_CUT_MILLIS without hearing each other.
        int cuts = 0;
        for (long start = plan.nextLong(3_000); start < TRAFFIC_MILLIS; cuts++) {
            VirtualNet.Node a = nodes.get(plan.nextInt(size));
            VirtualNet.Node b = nodes.get((nodes.indexOf(a) + 1 + plan.nextInt(size - 1)) % size);
            long end = start + 200 + plan.nextLong(LONGEST_CUT_MILLIS - 200);
            net.at(start, () -> net.cut(a, b));
            net.at(end, () -> net.heal(a, b));
            start = end + 3_000 + plan.nextLong(10_000);
        }
        String setting = (secure ? "secure" : "plain") + ", " + size + " nodes, " + link + ", " + cuts + " cuts";
        net.runFor(TRAFFIC_MILLIS);
        for (int i = 0; i < 12; i++) {
            net.runFor(5_000);
            check(net, nodes, ledger, setting, false);
        }
        check(net, nodes, ledger, setting, true);
    }

    private static String states(List<VirtualNet.Node> nodes) {
        StringBuilder states = new StringBuilder();
        for (VirtualNet.Node node : nodes) {
            states.append('\n').append(node.state());
        }
        return states.toString();
    }

    /** A message's body: its number on its pair, then bytes that follow from it, so a changed byte shows. */
    private static byte[] body(int number, int length) {
        ByteBuffer body = ByteBuffer.allocate(4 + length).putInt(number);
        for (int i = 0; i < length; i++) {
            body.put((byte) (number * 31 + i));
        }
        return body.array();
    }

    /**
     * What must hold: each node hears each other's messages at most once each, in the order
     * sent, intact (no duplicate, reordering or corruption, whatever the link does); nothing a
     * node of ours sends is taken for malformed or refused. And at the {@code end}, a minute
     * after the last cut healed: every node holds a session with every other, and every message
     * sent has arrived or is counted as dropped by its sender (a session that ends loses what its
     * peer had not acknowledged, but never silently; one that arrived while its acknowledgement
     * was lost with the session is counted too: the sender cannot tell).
     */
    private static void check(VirtualNet net, List<VirtualNet.Node> nodes, Ledger ledger, String setting, boolean end) {
        Map<String, Integer> heard = new HashMap<>();
        for (VirtualNet.Node to : nodes) {
            Map<NodeAddress, Integer> last = new HashMap<>();
            for (Message message : to.received) {
                int number = message.body().getInt(0);
                int before = last.getOrDefault(message.sender(), -1);
                assertTrue(number > before, () -> setting + ": from " + message.sender() + " at " + to.nodeAddress()
                        + ", in order, each once: " + number + " after " + before + ", at " + net.now() + " ms: " + states(nodes));
                byte[] body = new byte[message.body().remaining()];
                message.body().duplicate().get(body);
                assertTrue(java.util.Arrays.equals(body(number, body.length - 4), body), () -> setting + ": message "
                        + number + " from " + message.sender() + " intact");
                last.put(message.sender(), number);
                heard.merge(message.sender() + ">" + to.nodeAddress(), 1, Integer::sum);
            }
            NetworkState c = to.state();
            assertEquals(0, c.malformedInputs() + c.sessionsRefused() + c.checksumFailures(),
                    () -> setting + ": nothing malformed or refused at " + to.nodeAddress() + ": " + states(nodes));
        }
        assertEquals(0, net.readBuffersKept(), () -> setting + ": no core kept part of a read's buffer");
        if (!end) {
            return;
        }
        for (VirtualNet.Node from : nodes) {
            long sent = 0;
            long arrived = 0;
            for (VirtualNet.Node to : nodes) {
                if (from != to) {
                    sent += ledger.sent.getOrDefault(from.nodeAddress() + ">" + to.nodeAddress(), 0);
                    arrived += heard.getOrDefault(from.nodeAddress() + ">" + to.nodeAddress(), 0);
                    if (!to.state().peer(from.nodeAddress()).map(PeerState::connected).orElse(false)) {
                        fail(setting + ": " + to.nodeAddress() + " holds a session with " + from.nodeAddress()
                                + " again: " + states(nodes));
                    }
                }
            }
            long dropped = from.state().messagesDropped();
            long sentFinal = sent;
            long arrivedFinal = arrived;
            assertTrue(sent - arrived <= dropped, () -> setting + ": of " + sentFinal + " messages " + from.nodeAddress()
                    + " sent, " + arrivedFinal + " arrived, and only " + dropped + " are counted as dropped: " + states(nodes));
        }
    }
}
