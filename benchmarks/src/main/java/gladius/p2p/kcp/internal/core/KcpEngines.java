package gladius.p2p.kcp.internal.core;

import gladius.p2p.benchmarks.Microbenchmark;
import io.jpower.kcp.netty.Kcp;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A KCP engine alone, on one thread, side by side: kcp-netty 1.5.2's {@code Kcp} (what the
 * transport ran until it had its own) and the transport's {@link KcpEngine}. Two engines of the
 * same kind are wired back to back with no sockets, with the transport's settings (stream mode,
 * nodelay, 10 ms interval, fast resend 2, no congestion window, windows of 256, a 1,389-byte
 * MTU: a 1,400-byte datagram less the 11-byte header). Each invocation moves a batch of messages
 * from sender to receiver, reads them out, and takes the acknowledgements back, so the figure is
 * the engine's own cost per message on both sides:
 *
 * <ul>
 *   <li>{@code ackPerDatagram}: the receiver flushes after every datagram (one ACK datagram per
 *       data datagram) and the sender takes each ACK and flushes;</li>
 *   <li>{@code ackPerBatch}: the receiver takes every datagram of the batch, then flushes once,
 *       as the transport's delayed ACKs do.</li>
 * </ul>
 *
 * <p>Before each trial the two engines exchange a megabyte each way with one another (kcp-netty
 * to ours and back, some datagrams dropped): the setup fails unless every byte arrives, so the
 * benchmark also shows that the wire formats are the same.
 */
public class KcpEngines extends Microbenchmark {

    private static final int BATCH = 128;
    private static final int MTU = 1400 - Datagram.HEADER_LENGTH;
    private static final ByteBufAllocator ALLOCATOR = PooledByteBufAllocator.DEFAULT;

    @Param({"kcp-netty", "gladius"})
    public String engine;

    @Param({"64", "1024"})
    public int size;

    private Side sender;
    private Side receiver;
    /** Datagrams on their way: to the receiver, and back to the sender. */
    private List<List<ByteBuf>> wires;
    private ByteBuf message;
    private int clock;
    private long bytesReceived;

    /** One engine of either kind, as the benchmark drives it; what it outputs goes to {@code wire}. */
    private interface Side {
        void send(ByteBuf bytes);

        /** Takes in a datagram; below 0 if refused. */
        int take(ByteBuf datagram, int now);

        /** Takes in a datagram and lets it go; throws if it was refused. */
        default void input(ByteBuf datagram, int now) {
            try {
                if (take(datagram, now) < 0) {
                    throw new IllegalStateException(getClass().getSimpleName() + " refused a datagram");
                }
            } finally {
                datagram.release();
            }
        }

        void update(int now);

        /** Reads everything received in order; its length. */
        long read(byte[] into, int at);

        int waitSnd();

        void release();
    }

    @Setup(Level.Trial)
    public void setUp() {
        checkWireCompatible();
        List<ByteBuf> toReceiver = new ArrayList<>();
        List<ByteBuf> toSender = new ArrayList<>();
        sender = side(engine, toReceiver);
        receiver = side(engine, toSender);
        wires = List.of(toReceiver, toSender);
        message = ALLOCATOR.directBuffer(size).writeZero(size);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        sender.release();
        receiver.release();
        message.release();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long ackPerDatagram() {
        send();
        for (ByteBuf datagram : drain(wires.get(0))) {
            receiver.input(datagram, clock);
            bytesReceived += receiver.read(null, 0);
            receiver.update(clock);
            for (ByteBuf ack : drain(wires.get(1))) {
                sender.input(ack, clock);
                sender.update(clock);
            }
        }
        return settle();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long ackPerBatch() {
        send();
        exchange();
        return settle();
    }

    private void send() {
        clock++;
        for (int i = 0; i < BATCH; i++) {
            sender.send(message.duplicate());
        }
        sender.update(clock);
    }

    private long settle() {
        for (int rounds = 0; sender.waitSnd() > 0 || !wires.get(0).isEmpty() || !wires.get(1).isEmpty(); rounds++) {
            if (rounds == 10_000) {
                throw new IllegalStateException("the engines did not settle: " + sender.waitSnd() + " unacknowledged");
            }
            clock++;
            exchange();
        }
        return bytesReceived;
    }

    private void exchange() {
        for (ByteBuf datagram : drain(wires.get(0))) {
            receiver.input(datagram, clock);
        }
        bytesReceived += receiver.read(null, 0);
        receiver.update(clock);
        for (ByteBuf ack : drain(wires.get(1))) {
            sender.input(ack, clock);
        }
        sender.update(clock);
    }

    private static List<ByteBuf> drain(List<ByteBuf> wire) {
        List<ByteBuf> taken = new ArrayList<>(wire);
        wire.clear();
        return taken;
    }

    private static Side side(String kind, List<ByteBuf> wire) {
        return switch (kind) {
            case "kcp-netty" -> new NettySide(wire);
            case "gladius" -> new OwnSide(wire);
            default -> throw new IllegalArgumentException("engine " + kind + ": kcp-netty or gladius");
        };
    }

    /**
     * A megabyte each way between a kcp-netty engine and ours, every seventh datagram dropped;
     * throws unless both arrive whole.
     */
    static void checkWireCompatible() {
        List<ByteBuf> toOwn = new ArrayList<>();
        List<ByteBuf> toNetty = new ArrayList<>();
        Side netty = new NettySide(toOwn);
        Side own = new OwnSide(toNetty);
        byte[] one = new byte[1 << 20];
        byte[] other = new byte[1 << 20];
        new SplittableRandom(1).nextBytes(one);
        new SplittableRandom(2).nextBytes(other);
        byte[] atOwn = new byte[one.length];
        byte[] atNetty = new byte[other.length];
        int readByOwn = 0;
        int readByNetty = 0;
        netty.send(Unpooled.wrappedBuffer(one));
        own.send(Unpooled.wrappedBuffer(other));
        int dropped = 0;
        for (int now = 1; now < 600_000 && (readByOwn < one.length || readByNetty < other.length); now++) {
            netty.update(now);
            own.update(now);
            for (ByteBuf datagram : drain(toOwn)) {
                if (++dropped % 7 == 0) {
                    datagram.release();
                } else {
                    own.input(datagram, now);
                }
            }
            for (ByteBuf datagram : drain(toNetty)) {
                if (++dropped % 7 == 0) {
                    datagram.release();
                } else {
                    netty.input(datagram, now);
                }
            }
            readByOwn += (int) own.read(atOwn, readByOwn);
            readByNetty += (int) netty.read(atNetty, readByNetty);
        }
        netty.release();
        own.release();
        if (!Arrays.equals(one, atOwn) || !Arrays.equals(other, atNetty)) {
            throw new IllegalStateException("kcp-netty and KcpEngine did not carry a stream to one another: "
                    + readByOwn + " and " + readByNetty + " of " + one.length + " bytes");
        }
    }

    private static final class NettySide implements Side {
        private final Kcp kcp;
        private final List<ByteBuf> pieces = new ArrayList<>();

        NettySide(List<ByteBuf> wire) {
            kcp = new Kcp(42, (datagram, engine) -> wire.add(datagram));
            kcp.nodelay(true, 10, 2, true);
            kcp.wndsize(256, 256);
            kcp.setMtu(MTU);
            kcp.setStream(true);
            kcp.setByteBufAllocator(ALLOCATOR);
        }

        @Override
        public void send(ByteBuf bytes) {
            kcp.send(bytes);
        }

        @Override
        public int take(ByteBuf datagram, int now) {
            return kcp.input(datagram);
        }

        @Override
        public void update(int now) {
            kcp.update(now);
        }

        @Override
        public long read(byte[] into, int at) {
            long read = 0;
            while (kcp.canRecv()) {
                kcp.recv(pieces);
                for (ByteBuf piece : pieces) {
                    int n = piece.readableBytes();
                    if (into != null) {
                        piece.readBytes(into, at + (int) read, n);
                    }
                    read += n;
                    piece.release();
                }
                pieces.clear();
            }
            return read;
        }

        @Override
        public int waitSnd() {
            return kcp.waitSnd();
        }

        @Override
        public void release() {
            kcp.release();
        }
    }

    private static final class OwnSide implements Side {
        private final KcpEngine kcp;

        OwnSide(List<ByteBuf> wire) {
            kcp = new KcpEngine(42, MTU, wire::add, ALLOCATOR, ALLOCATOR);
            kcp.nodelay(true, 10, 2, true);
            kcp.windows(256, 256);
        }

        @Override
        public void send(ByteBuf bytes) {
            kcp.send(bytes);
        }

        @Override
        public int take(ByteBuf datagram, int now) {
            return kcp.input(datagram, now);
        }

        @Override
        public void update(int now) {
            kcp.update(now);
        }

        @Override
        public long read(byte[] into, int at) {
            long read = 0;
            ByteBuf piece;
            while ((piece = kcp.received()) != null) {
                int n = piece.readableBytes();
                if (into != null) {
                    piece.readBytes(into, at + (int) read, n);
                } else {
                    piece.skipBytes(n);
                }
                read += n;
            }
            return read;
        }

        @Override
        public int waitSnd() {
            return kcp.waitSnd();
        }

        @Override
        public void release() {
            kcp.release();
        }
    }
}
