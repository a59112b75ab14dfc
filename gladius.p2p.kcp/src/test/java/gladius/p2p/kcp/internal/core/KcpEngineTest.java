package gladius.p2p.kcp.internal.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The KCP engine alone, without sockets or sessions, in virtual milliseconds: its wire format
 * byte for byte as KCP's (ikcp.c, kcp-netty), and a byte stream carried whole and in order by two
 * engines over links that lose, reorder and duplicate, seeded. The same engine runs under every
 * session in {@link SessionCoreTest} and {@link FaultSchedulesTest}.
 */
class KcpEngineTest {

    private static final int CONV = 0x01020304;
    private static final int MTU = 1_400 - Datagram.HEADER_LENGTH;
    private static final ByteBufAllocator ALLOCATOR = UnpooledByteBufAllocator.DEFAULT;

    @Test
    void aPushIsKcpsHeaderThenTheBytes() {
        List<ByteBuf> wire = new ArrayList<>();
        KcpEngine engine = transportEngine(wire::add);
        engine.send(Unpooled.wrappedBuffer("hello".getBytes()));
        engine.update(1_000);

        assertEquals(1, wire.size());
        // conv 04030201, cmd 51 (PUSH), frg 00, wnd 0001 (256), ts e8030000 (1000), sn 0, una 0, len 5, "hello"
        assertEquals("04030201" + "51" + "00" + "0001" + "e8030000" + "00000000" + "00000000" + "05000000"
                + HexFormat.of().formatHex("hello".getBytes()), ByteBufUtil.hexDump(wire.get(0)));
        wire.forEach(ByteBuf::release);
    }

    @Test
    void aPushFromAnotherKcpIsReadAndAcknowledgedAsKcpWould() {
        List<ByteBuf> wire = new ArrayList<>();
        KcpEngine engine = transportEngine(wire::add);
        ByteBuf push = segment(81, 32, 777, 0, 0, "abc".getBytes());
        assertEquals(0, engine.input(push, 800));
        assertEquals(0, push.readerIndex(), "the datagram's buffer is left as it was");

        ByteBuf received = engine.received();
        assertEquals("abc", received.toString(java.nio.charset.StandardCharsets.US_ASCII));
        received.skipBytes(3);
        assertNull(engine.received());
        engine.update(801);
        // ACK of sn 0 echoing ts 777, una 1 (all below 1 held), the whole window open again
        assertEquals("04030201" + "52" + "00" + "0001" + "09030000" + "00000000" + "01000000" + "00000000",
                ByteBufUtil.hexDump(wire.get(0)));
        wire.forEach(ByteBuf::release);
    }

    @Test
    void garbageIsRefusedWithItsReason() {
        KcpEngine engine = transportEngine(ByteBuf::release);
        assertEquals(-1, engine.input(Unpooled.wrappedBuffer(new byte[KcpEngine.OVERHEAD - 1]), 0), "short");
        ByteBuf otherConv = segment(81, 32, 0, 0, 0, new byte[1]);
        otherConv.setIntLE(0, CONV + 1);
        assertEquals(-1, engine.input(otherConv, 0), "another conversation");
        ByteBuf pastTheEnd = segment(81, 32, 0, 0, 0, new byte[4]);
        pastTheEnd.setIntLE(20, 5);
        assertEquals(-2, engine.input(pastTheEnd, 0), "a length past the end");
        assertEquals(-3, engine.input(segment(99, 32, 0, 0, 0, new byte[0]), 0), "an unknown command");
        assertNull(engine.received());
    }

    @Test
    void anRttSampleSetsTheTimeoutAsRfc6298sFirstSample() {
        KcpEngine engine = transportEngine(ByteBuf::release);
        engine.sample(40);
        assertEquals(40, engine.srtt());
        assertEquals(120, engine.rto(), "R + max(interval, 4 * R/2)");
    }

    /**
     * RFC 9002's time threshold: one ACK of a later segment is enough to take an earlier one for
     * lost once it was sent longer ago than 9/8 of the round trip; before that, it is not. (KCP's
     * own rule wants two such ACKs: a sender of sparse messages waited for two more messages.)
     */
    @ParameterizedTest
    @ValueSource(ints = {4, 10})
    void aLaterAckFindsALossOnceTheLossDelayHasPassed(int ackAt) {
        List<ByteBuf> wire = new ArrayList<>();
        KcpEngine sender = transportEngine(wire::add);
        sender.sample(8); // srtt 8 ms
        sender.send(Unpooled.wrappedBuffer(new byte[] {1}));
        sender.update(0); // sn 0, lost
        sender.send(Unpooled.wrappedBuffer(new byte[] {2}));
        sender.update(ackAt - 1); // sn 1
        wire.forEach(ByteBuf::release);
        wire.clear();

        // sn 1 acknowledged 1 ms after it left: srtt 7, loss delay ceil(9/8 * 7) = 8 ms
        assertEquals(0, sender.input(segment(82, 256, ackAt - 1, 1, 0, new byte[0]), ackAt));
        sender.update(ackAt);
        boolean resent = ackAt >= 8;
        assertEquals(resent ? 1 : 0, sender.resends(), "sn 0 is " + ackAt + " ms old");
        if (resent) {
            assertEquals(1, wire.size());
            assertEquals(0, wire.get(0).getIntLE(12), "sn 0 again");
        }
        wire.forEach(ByteBuf::release);
    }

    /**
     * Two engines carry 2 MB each way over links with loss, reordering (jitter) and duplicates;
     * every byte arrives once, in order, and both send buffers drain. The receivers read in bursts
     * with pauses, so their windows shut and open again on the way.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void aStreamArrivesWholeAndInOrderOverABadLink(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double loss = random.nextDouble(0, 0.2);
        double duplicates = random.nextDouble(0, 0.05);
        int jitter = random.nextInt(0, 30);
        Pair pair = new Pair(random, loss, duplicates, 20, jitter);
        byte[] a = new byte[2_000_000];
        byte[] b = new byte[2_000_000];
        random.nextBytes(a);
        random.nextBytes(b);
        pair.fromA = a;
        pair.fromB = b;
        pair.run(600_000);
        assertArrayEquals(a, pair.toB.toByteArray(), () -> "seed " + seed + ": a to b, " + pair);
        assertArrayEquals(b, pair.toA.toByteArray(), () -> "seed " + seed + ": b to a, " + pair);
        assertEquals(0, pair.a.waitSnd(), "a's send buffer drained");
        assertEquals(0, pair.b.waitSnd(), "b's send buffer drained");
        assertTrue(pair.a.resends() > 0 || loss < 0.01, "a lossy link made the sender resend");
    }

    /** A receiver that stops reading holds at most its window: the sender stops, probes, and goes on once it reads again. */
    @Test
    void aReceiverThatStopsReadingShutsTheWindowAndOpensItAgain() {
        Pair pair = new Pair(new SplittableRandom(9), 0, 0, 5, 0);
        byte[] a = new byte[5_000_000];
        new SplittableRandom(10).nextBytes(a);
        pair.readingB = false;
        pair.fromA = a;
        pair.run(20_000);
        long heldBytes = pair.bHeld;
        assertTrue(heldBytes <= 256L * (MTU - KcpEngine.OVERHEAD), "the receiver holds its window at most: " + heldBytes);
        assertTrue(pair.a.waitSnd() > 0, "the sender waits");
        pair.readingB = true;
        pair.run(300_000);
        assertArrayEquals(a, pair.toB.toByteArray(), "all of it, once the receiver reads");
    }

    private static KcpEngine transportEngine(KcpEngine.Output output) {
        KcpEngine engine = new KcpEngine(CONV, MTU, output, ALLOCATOR, ALLOCATOR);
        engine.nodelay(true, 10, 2, true);
        engine.windows(256, 256);
        return engine;
    }

    private static ByteBuf segment(int cmd, int wnd, int ts, int sn, int una, byte[] data) {
        return Unpooled.buffer().writeIntLE(CONV).writeByte(cmd).writeByte(0).writeShortLE(wnd).writeIntLE(ts)
                .writeIntLE(sn).writeIntLE(una).writeIntLE(data.length).writeBytes(data);
    }

    /** Two engines and the link between them, in virtual milliseconds. */
    private static final class Pair {
        final SplittableRandom random;
        final double loss;
        final double duplicates;
        final int delay;
        final int jitter;
        final List<long[]> schedule = new ArrayList<>(); // {due, direction, index}
        final List<byte[]> datagrams = new ArrayList<>();
        final KcpEngine a;
        final KcpEngine b;
        final ByteArrayOutputStream toA = new ByteArrayOutputStream();
        final ByteArrayOutputStream toB = new ByteArrayOutputStream();
        byte[] fromA = new byte[0];
        byte[] fromB = new byte[0];
        int sentA;
        int sentB;
        boolean readingB = true;
        long bHeld;
        int now;
        private int direction;

        Pair(SplittableRandom random, double loss, double duplicates, int delay, int jitter) {
            this.random = random;
            this.loss = loss;
            this.duplicates = duplicates;
            this.delay = delay;
            this.jitter = jitter;
            this.a = transportEngine(datagram -> carry(datagram, 1));
            this.b = transportEngine(datagram -> carry(datagram, 0));
        }

        private void carry(ByteBuf datagram, int to) {
            byte[] bytes = ByteBufUtil.getBytes(datagram);
            datagram.release();
            int copies = random.nextDouble() < loss ? 0 : random.nextDouble() < duplicates ? 2 : 1;
            for (int i = 0; i < copies; i++) {
                datagrams.add(bytes);
                schedule.add(new long[] {now + delay + (jitter == 0 ? 0 : random.nextInt(jitter)), to, datagrams.size() - 1});
            }
        }

        /**
         * Sends each side's bytes in pieces of up to 64 KiB a millisecond, for {@code millis}
         * virtual ms or until everything is sent, acknowledged and read.
         */
        void run(int millis) {
            int end = now + millis;
            for (; now < end; now++) {
                sentA += offer(a, fromA, sentA);
                sentB += offer(b, fromB, sentB);
                for (int i = 0; i < schedule.size(); i++) {
                    long[] s = schedule.get(i);
                    if (s[0] <= now) {
                        schedule.remove(i--);
                        KcpEngine to = s[1] == 0 ? a : b;
                        assertEquals(0, to.input(Unpooled.wrappedBuffer(datagrams.get((int) s[2])), now));
                    }
                }
                read(a, toA, true);
                bHeld = read(b, toB, readingB && (now / 50) % 3 != 0);
                a.update(now);
                b.update(now);
                if (sentA == fromA.length && sentB == fromB.length && schedule.isEmpty() && a.waitSnd() == 0
                        && b.waitSnd() == 0 && a.received() == null && b.received() == null) {
                    return;
                }
            }
        }

        private static int offer(KcpEngine engine, byte[] bytes, int sent) {
            if (sent == bytes.length || engine.waitSnd() >= 512) {
                return 0;
            }
            int n = Math.min(64 * 1024, bytes.length - sent);
            engine.send(Unpooled.wrappedBuffer(bytes, sent, n));
            return n;
        }

        /** Reads what the engine has in order if {@code reading}; the bytes it still holds unread. */
        private static long read(KcpEngine engine, ByteArrayOutputStream to, boolean reading) {
            ByteBuf piece;
            while (reading && (piece = engine.received()) != null) {
                int n = piece.readableBytes();
                to.write(ByteBufUtil.getBytes(piece), 0, n);
                piece.skipBytes(n);
            }
            return engine.unread();
        }

        @Override
        public String toString() {
            return "loss " + loss + ", duplicates " + duplicates + ", jitter " + jitter + " ms, at " + now + " ms";
        }
    }
}
