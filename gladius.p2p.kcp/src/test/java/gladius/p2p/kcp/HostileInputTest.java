package gladius.p2p.kcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.NetworkState;
import gladius.p2p.NodeAddress;
import gladius.p2p.testing.Await;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * Garbage from the network is dropped and counted, never thrown and never kept: random datagrams,
 * truncated headers, frames with a wrong checksum, a length prefix of 2^31. Meanwhile the node
 * keeps serving a good peer. The attacker here speaks the protocol by hand over a plain socket.
 */
class HostileInputTest {

    @Test
    void garbageIsDroppedAndCountedAndGoodPeersKeepBeingServed() throws Exception {
        try (Nodes nodes = new Nodes(); DatagramSocket attacker = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            Nodes.Node target = nodes.start();
            Nodes.Node good = nodes.start();
            good.network().add(target.address());
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", target.address().port());
            attacker.setSoTimeout(2_000);

            // 1. Random datagrams and truncated headers.
            SplittableRandom random = new SplittableRandom(3);
            int garbage = 20_000;
            for (int i = 0; i < garbage; i++) {
                byte[] junk = new byte[random.nextInt(3, 1400)];
                random.nextBytes(junk);
                if (i % 2 == 0) {
                    junk[0] = 0x47; // our magic, so it gets past the first check
                    junk[1] = 1;
                    junk = java.util.Arrays.copyOf(junk, random.nextInt(2, 11)); // a header cut short
                }
                send(attacker, to, junk);
                if (i % 100 == 0) {
                    pingThroughGoodPeer(good, target, i); // also paces the attacker below the socket buffer
                }
            }
            Await.until("every garbage datagram counted", () -> target.network().networkState().malformedInputs() >= garbage);

            // 2. A real session opened by hand, then a frame with a wrong checksum, then a good one.
            int myTag = 0x1234_5678;
            send(attacker, to, header(1, myTag, 0));
            ByteBuffer welcome = receive(attacker);
            assertEquals(2, welcome.get(2), "a WELCOME comes back");
            int theirTag = welcome.getInt(3);
            int conv = myTag ^ theirTag;
            byte[] bad = frame("evil", "payload".getBytes(StandardCharsets.UTF_8), true);
            byte[] fine = frame("ok", "payload".getBytes(StandardCharsets.UTF_8), false);
            send(attacker, to, data(myTag, theirTag, conv, 0, bad));
            send(attacker, to, data(myTag, theirTag, conv, 1, fine));
            Await.until("the good frame after the bad one arrives", () -> target.inbox().count("ok") > 0);
            assertEquals(1, target.network().networkState().checksumFailures());
            assertTrue(target.inbox().messages().stream().noneMatch(m -> m.type().equals("evil")));

            // 3. A length prefix of 2^31: the stream cannot be parsed, the session is closed and counted.
            long malformedBefore = target.network().networkState().malformedInputs();
            byte[] huge = ByteBuffer.allocate(8).putInt(0x8000_0000).putInt(0).array();
            send(attacker, to, data(myTag, theirTag, conv, 2, huge));
            NodeAddress attackerAddress = new NodeAddress("127.0.0.1", attacker.getLocalPort());
            Await.until("the bad stream closes its session", () -> target.network().networkState().peer(attackerAddress).isEmpty());
            assertTrue(target.network().networkState().malformedInputs() > malformedBefore);

            // 4. The good peer was served all along, and garbage left nothing behind.
            pingThroughGoodPeer(good, target, -1);
            NetworkState state = target.network().networkState();
            assertEquals(1, state.peers().size(), "only the good peer remains: " + state.peers());
        }
    }

    @Test
    void garbageGrowsNeitherHeapNorDirectMemory() throws Exception {
        try (Nodes nodes = new Nodes(); DatagramSocket attacker = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            Nodes.Node target = nodes.start();
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", target.address().port());
            SplittableRandom random = new SplittableRandom(4);
            long heapBefore = 0;
            long directBefore = 0;
            long bytesSent = 0;
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < 20_000; i++) {
                    byte[] junk = new byte[random.nextInt(3, 1400)];
                    random.nextBytes(junk);
                    junk[0] = 0x47;
                    junk[1] = 1;
                    junk[2] = (byte) random.nextInt(1, 7); // every kind, with garbage after it
                    send(attacker, to, junk);
                    bytesSent += junk.length;
                    if (i % 100 == 99) {
                        long sentSoFar = bytesSent; // paced well below the socket buffer, so the kernel drops none
                        Await.until("garbage read", () -> target.network().networkState().bytesReceived() >= sentSoFar);
                    }
                }
                long all = bytesSent;
                Await.until("round " + round + " read", () -> target.network().networkState().bytesReceived() >= all);
                if (round == 0) {
                    heapBefore = usedHeapAfterGc();
                    directBefore = usedDirectMemory();
                }
            }
            // 400 MB of garbage went through after the first measurement: keeping even a tenth of it would show.
            long heapGrowth = usedHeapAfterGc() - heapBefore;
            long directGrowth = usedDirectMemory() - directBefore;
            assertTrue(heapGrowth < 32L << 20, "heap grew by " + (heapGrowth >> 20) + " MiB");
            assertTrue(directGrowth < 32L << 20, "Netty's direct memory grew by " + (directGrowth >> 20) + " MiB");
            assertTrue(target.network().networkState().peers().size() <= 1, "garbage opened no sessions it kept");
        }
    }

    /** The least heap in use over three full collections: what is kept, not what was allocated meanwhile. */
    private static long usedHeapAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            least = Math.min(least, runtime.totalMemory() - runtime.freeMemory());
        }
        return least;
    }

    /** Direct memory held by the allocators the transport uses (its own pooled one, and the channel's default). */
    private static long usedDirectMemory() {
        long used = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
        if (ByteBufAllocator.DEFAULT != PooledByteBufAllocator.DEFAULT && ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider metered) {
            used += metered.metric().usedDirectMemory();
        }
        return used;
    }

    private static void pingThroughGoodPeer(Nodes.Node good, Nodes.Node target, int i) {
        String type = "alive-" + i;
        good.network().broadcast(good.network().newMessage(type, new byte[0]));
        Await.until("the good peer's message " + i, () -> target.inbox().count(type) > 0);
    }

    private static void send(DatagramSocket socket, InetSocketAddress to, byte[] bytes) throws IOException {
        socket.send(new DatagramPacket(bytes, bytes.length, to));
    }

    private static ByteBuffer receive(DatagramSocket socket) throws IOException {
        byte[] buffer = new byte[2048];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer from the node", e);
        }
        return ByteBuffer.wrap(buffer, 0, packet.getLength());
    }

    private static byte[] header(int kind, int sender, int receiver) {
        return ByteBuffer.allocate(11).put((byte) 0x47).put((byte) 1).put((byte) kind).putInt(sender).putInt(receiver).array();
    }

    private static byte[] frame(String type, byte[] body, boolean corrupt) {
        byte[] t = type.getBytes(StandardCharsets.UTF_8);
        CRC32C crc = new CRC32C();
        crc.update(t);
        crc.update(body);
        ByteBuffer frame = ByteBuffer.allocate(4 + 1 + t.length + body.length + 4);
        frame.putInt(1 + t.length + body.length + 4).put((byte) t.length).put(t).put(body);
        frame.putInt((int) crc.getValue() ^ (corrupt ? 1 : 0));
        return frame.array();
    }

    /** One DATA datagram with one KCP PUSH segment, written by hand. */
    private static byte[] data(int sender, int receiver, int conv, int sn, byte[] payload) {
        ByteBuffer kcp = ByteBuffer.allocate(24 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        kcp.putInt(conv).put((byte) 81).put((byte) 0).putShort((short) 256).putInt(0).putInt(sn).putInt(0).putInt(payload.length);
        kcp.put(payload);
        return ByteBuffer.allocate(11 + kcp.capacity()).put(header(3, sender, receiver)).put(kcp.array()).array();
    }
}
