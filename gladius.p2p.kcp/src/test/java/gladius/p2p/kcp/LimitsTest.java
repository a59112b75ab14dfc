package gladius.p2p.kcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.NetworkState;
import gladius.p2p.NodeAddress;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.Workers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The limits that keep a node standing under load: each has a setting, and each refusal is counted. */
class LimitsTest {

    /** A plain HELLO written by hand (docs/PROTOCOL.md): magic, version, kind 1, sender tag, receiver 0. */
    private static ByteBuffer hello(int tag) {
        return ByteBuffer.allocate(11).put((byte) 0x47).put((byte) 1).put((byte) 1).putInt(tag).putInt(0).flip();
    }

    private static List<DatagramChannel> sockets(int count, String host) throws IOException {
        List<DatagramChannel> sockets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sockets.add(DatagramChannel.open().bind(new InetSocketAddress(host, 0)));
        }
        return sockets;
    }

    private static void closeAll(List<DatagramChannel> sockets) throws IOException {
        for (DatagramChannel socket : sockets) {
            socket.close();
        }
    }

    @Test
    void sessionsFromOneAddressStopAtTheirLimit() throws IOException {
        try (Nodes nodes = new Nodes()) {
            Nodes.Node node = nodes.start("kcp.max-sessions-per-ip", "3");
            List<DatagramChannel> clients = sockets(5, "127.0.0.1");
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", node.address().port());
            for (int i = 0; i < clients.size(); i++) {
                clients.get(i).send(hello(1000 + i), to);
            }
            Await.until("two refusals", () -> node.network().networkState().sessionsRefused() == 2);
            assertEquals(3, node.network().networkState().peers().size());
            closeAll(clients);
        }
    }

    @Test
    void newSessionsPerSecondAreRateLimited() throws IOException {
        try (Nodes nodes = new Nodes()) {
            Nodes.Node node = nodes.start("kcp.handshakes-per-second", "5");
            List<DatagramChannel> clients = sockets(40, "127.0.0.1");
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", node.address().port());
            long start = System.nanoTime();
            for (int i = 0; i < clients.size(); i++) {
                clients.get(i).send(hello(2000 + i), to);
            }
            Await.until("all 40 HELLOs handled", () -> {
                NetworkState state = node.network().networkState();
                return state.peers().size() + state.sessionsRefused() == 40;
            });
            double seconds = (System.nanoTime() - start) / 1e9;
            int admitted = node.network().networkState().peers().size();
            assertTrue(admitted >= 5 && admitted <= 5 + 5 * seconds + 1, admitted + " sessions in " + seconds + " s");
            closeAll(clients);
        }
    }

    @Test
    void bytesWaitingForOnePeerAreBounded() {
        try (Nodes nodes = new Nodes()) {
            Nodes.Node node = nodes.start("kcp.max-queued-bytes", "65536", "kcp.connect-timeout", "1h");
            NodeAddress nobody = new NodeAddress("127.0.0.1", 9); // discard port: the dial never gets an answer
            node.network().add(nobody);
            int queued = 0;
            for (int i = 0; i < 200; i++) {
                queued += node.network().broadcast(node.network().newMessage("k", new byte[1024]));
            }
            assertTrue(queued > 50 && queued < 64, "about 64 KiB of 1 KiB frames waited: " + queued);
            assertEquals(200 - queued, node.network().networkState().messagesDropped());
        }
    }

    @Test
    void aFloodOfHandshakesAndGarbageFromManyAddressesDoesNotStarveAnEstablishedPair() throws Exception {
        try (Nodes nodes = new Nodes()) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start("kcp.handshakes-per-second", "100");
            a.network().add(b.address());
            // Long enough that the flood (20,000 datagrams a second) runs through the whole transfer: 10,000
            // messages once took 0.1-0.2 s here, and since the sender's overload answer as little as 35 ms.
            int count = 50_000;
            secondsFor(a, b, count, 0); // warm-up, so both measured runs meet compiled code
            double quiet = secondsFor(a, b, count, 1);

            // 50 source addresses (all loopback on Linux), HELLOs with fresh tags and random garbage, paced at ~20,000/s.
            List<DatagramChannel> flooders = new ArrayList<>();
            for (int i = 2; i < 52; i++) {
                flooders.addAll(sockets(1, "127.0.0." + i));
            }
            AtomicBoolean flooding = new AtomicBoolean(true);
            AtomicLong sent = new AtomicLong();
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", b.address().port());
            double flooded;
            long floodedDuring;
            try (Workers workers = new Workers()) {
                workers.start("flood", () -> {
                    Random random = new Random(4);
                    byte[] garbage = new byte[200];
                    long next = System.nanoTime();
                    while (flooding.get()) {
                        for (int burst = 0; burst < 100; burst++) {
                            DatagramChannel from = flooders.get(random.nextInt(flooders.size()));
                            if (random.nextBoolean()) {
                                from.send(hello(random.nextInt() | 1), target);
                            } else {
                                random.nextBytes(garbage);
                                from.send(ByteBuffer.wrap(garbage), target);
                            }
                            sent.incrementAndGet();
                        }
                        // 100 datagrams every 5 ms: 20,000 a second, parked in between so the flooder
                        // takes no more CPU than sending costs (a spinning test thread would measure itself).
                        next += 5_000_000;
                        LockSupport.parkNanos(next - System.nanoTime());
                    }
                });
                try {
                    Await.until("the flood to be under way", () -> sent.get() >= 5_000);
                    long before = sent.get();
                    flooded = secondsFor(a, b, count, 2);
                    floodedDuring = sent.get() - before;
                } finally {
                    flooding.set(false);
                }
                workers.join(Duration.ofSeconds(10));
            } finally {
                closeAll(flooders);
            }
            NetworkState state = b.network().networkState();
            System.out.printf("flood: %d datagrams (%d during the transfer); %,d messages in %.2f s quiet, %.2f s flooded;"
                    + " %d sessions refused%n", sent.get(), floodedDuring, count, quiet, flooded, state.sessionsRefused());
            assertTrue(floodedDuring >= 1_000, "the flood ran all along the measured transfer: " + floodedDuring);
            assertTrue(state.sessionsRefused() > 0, "the handshake limit refused some of the flood");
            // A sanity bound with room for a loaded two-core machine (measured: 0.75-2x); the figure itself is
            // measured in benchmarks/ (ThroughputUnderFlood).
            assertTrue(flooded <= 5 * quiet + 2, "the pair kept at least a fifth of its pace: " + quiet + " s quiet, " + flooded + " s flooded");
        }
    }

    /** Sends count messages from a to b and returns how long until b has them all. */
    private static double secondsFor(Nodes.Node a, Nodes.Node b, int count, int round) {
        String type = "pace-" + round;
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            var message = a.network().newMessage(type, new byte[256]);
            Await.sent("message " + i, () -> a.network().broadcast(message));
        }
        Await.until(count + " messages at b", () -> b.inbox().count(type) == count);
        return (System.nanoTime() - start) / 1e9;
    }
}
