package gladius.p2p.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.NodeAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The link on two plain UDP sockets: what it forwards, drops, doubles, holds back, shows and injects. */
class LossyLinkTest {

    private DatagramChannel a;
    private DatagramChannel b;

    @BeforeEach
    void bind() throws IOException {
        a = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        b = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        b.configureBlocking(false);
        a.configureBlocking(false);
    }

    @AfterEach
    void close() throws IOException {
        a.close();
        b.close();
    }

    private static NodeAddress address(DatagramChannel channel) throws IOException {
        InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
        return new NodeAddress("127.0.0.1", local.getPort());
    }

    private static void send(DatagramChannel from, NodeAddress to, int value) throws IOException {
        from.send(ByteBuffer.allocate(4).putInt(0, value), new InetSocketAddress(to.host(), to.port()));
    }

    /** Reads what has arrived so far, each with the address it came from. */
    private static void drain(DatagramChannel channel, List<Integer> values, List<NodeAddress> from) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64);
        for (InetSocketAddress sender; (sender = (InetSocketAddress) channel.receive(buffer.clear())) != null; ) {
            values.add(buffer.getInt(0));
            from.add(new NodeAddress("127.0.0.1", sender.getPort()));
        }
    }

    @Test
    void aPerfectLinkForwardsEverythingBothWaysFromTheStandIns() throws IOException {
        try (LossyLink link = LossyLink.between(address(a), address(b), LinkConditions.PERFECT)) {
            for (int i = 0; i < 100; i++) {
                send(a, link.standInFor(address(b)), i);
                send(b, link.standInFor(address(a)), 1000 + i);
            }
            List<Integer> atB = new CopyOnWriteArrayList<>();
            List<Integer> atA = new CopyOnWriteArrayList<>();
            List<NodeAddress> fromA = new CopyOnWriteArrayList<>();
            List<NodeAddress> fromB = new CopyOnWriteArrayList<>();
            Await.until("200 datagrams across", () -> {
                try {
                    drain(b, atB, fromA);
                    drain(a, atA, fromB);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                return atB.size() == 100 && atA.size() == 100;
            });
            assertEquals(java.util.stream.IntStream.range(0, 100).boxed().toList(), atB, "in order, none lost");
            assertTrue(fromA.stream().allMatch(link.standInFor(address(a))::equals), "b sees a at a's stand-in");
            assertTrue(fromB.stream().allMatch(link.standInFor(address(b))::equals), "a sees b at b's stand-in");
            assertEquals(200, link.forwarded());
            assertEquals(0, link.dropped() + link.duplicated());
        }
    }

    @Test
    void dropsAndDuplicatesFollowTheirOddsAndTheSeedRepeatsThem() throws Exception {
        LinkConditions conditions = LinkConditions.PERFECT.withSeed(11).withDrop(0.3).withDuplicate(0.2);
        long[] first = run(conditions);
        long[] again = run(conditions);
        assertArrayEquals(first, again, "the same seed drops and doubles the same datagrams");
        // 2,000 datagrams: 600 dropped and 280 of the rest doubled on average; five standard deviations either way.
        assertTrue(first[0] >= 500 && first[0] <= 700, "dropped " + first[0]);
        assertTrue(first[1] >= 190 && first[1] <= 370, "duplicated " + first[1]);
        long[] other = run(conditions.withSeed(12));
        assertTrue(other[0] != first[0] || other[1] != first[1], "another seed, other choices");
    }

    /** Sends 2,000 datagrams from a to b and returns {dropped, duplicated, received}. */
    private long[] run(LinkConditions conditions) throws IOException {
        try (LossyLink link = LossyLink.between(address(a), address(b), conditions)) {
            List<Integer> received = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 2000; i++) {
                send(a, link.standInFor(address(b)), i);
                if (i % 100 == 99) { // paced, and b read as it goes, so no socket buffer overflows
                    int sent = i + 1;
                    Await.until("the link to take " + sent, () -> link.dropped() + link.forwarded() - link.duplicated() >= sent);
                    drain(b, received, new CopyOnWriteArrayList<>());
                }
            }
            Await.until("every forwarded datagram at b", () -> {
                try {
                    drain(b, received, new CopyOnWriteArrayList<>());
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                return received.size() == link.forwarded() && link.forwarded() + link.dropped() - link.duplicated() == 2000;
            });
            return new long[] {link.dropped(), link.duplicated(), received.size()};
        }
    }

    @Test
    void aDelayHoldsEveryDatagramAtLeastThatLong() throws IOException {
        Duration delay = Duration.ofMillis(50);
        try (LossyLink link = LossyLink.between(address(a), address(b), LinkConditions.PERFECT.withDelay(delay, Duration.ZERO))) {
            long sentAt = System.nanoTime();
            send(a, link.standInFor(address(b)), 7);
            List<Integer> received = new CopyOnWriteArrayList<>();
            long[] arrivedAt = new long[1];
            Await.until("the delayed datagram", () -> {
                try {
                    drain(b, received, new CopyOnWriteArrayList<>());
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                arrivedAt[0] = System.nanoTime();
                return !received.isEmpty();
            });
            assertTrue(arrivedAt[0] - sentAt >= delay.toNanos(), "held " + (arrivedAt[0] - sentAt) / 1_000_000 + " ms");
        }
    }

    @Test
    void theTapSeesWhatCrossesAndInjectedDatagramsComeFromTheOtherSidesStandIn() throws IOException {
        try (LossyLink link = LossyLink.between(address(a), address(b), LinkConditions.PERFECT.withDrop(1.0))) {
            List<String> seen = new CopyOnWriteArrayList<>();
            link.tap((toward, datagram) -> seen.add(toward + " " + ByteBuffer.wrap(datagram).getInt()));
            send(a, link.standInFor(address(b)), 5);
            String expected = address(b) + " 5";
            Await.until("the tap to see it, though the link drops it", () -> seen.equals(List.of(expected)));

            link.inject(address(b), ByteBuffer.allocate(4).putInt(9).array());
            List<Integer> received = new CopyOnWriteArrayList<>();
            List<NodeAddress> from = new CopyOnWriteArrayList<>();
            Await.until("the injected datagram", () -> {
                try {
                    drain(b, received, from);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                return !received.isEmpty();
            });
            assertEquals(List.of(9), received, "the dropped one never arrived; the injected one did");
            assertEquals(List.of(link.standInFor(address(a))), from, "from where b expects a");
        }
    }

    @Test
    void aLinkJoinsTwoDifferentNodesAndAnswersOnlyForThem() throws IOException {
        NodeAddress stranger = new NodeAddress("127.0.0.1", 9);
        assertThrows(IllegalArgumentException.class, () -> LossyLink.between(address(a), address(a), LinkConditions.PERFECT));
        try (LossyLink link = LossyLink.between(address(a), address(b), LinkConditions.PERFECT)) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> link.standInFor(stranger)).getMessage().contains("node"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> link.inject(stranger, new byte[1])).getMessage().contains("toward"));
        }
        for (double p : new double[] {-0.1, 1.1, Double.NaN}) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> LinkConditions.PERFECT.withDrop(p)).getMessage().contains("drop"));
        }
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> LinkConditions.PERFECT.withDelay(Duration.ofMillis(-1), Duration.ZERO)).getMessage().contains("delay"));
    }
}
