package gladius.p2p.benchmarks;

import io.jpower.kcp.netty.Kcp;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * kcp-netty's {@code Kcp} engine alone, on one thread: two engines wired back to back with no
 * sockets, the transport's settings (stream mode, nodelay, 10 ms interval, fast resend 2, no
 * congestion window, windows of 256, 1,389-byte segments: a 1,400-byte datagram less the
 * 11-byte header). Each invocation moves a batch of messages from sender to receiver and the
 * acknowledgements back, so the figure is the engine's own cost per message on both sides:
 *
 * <ul>
 *   <li>{@code ackPerDatagram}: the receiver runs {@code update} after every datagram, as the
 *       transport does today (each read batch holds one datagram), sending one ACK datagram per
 *       data datagram, and the sender services every ACK;</li>
 *   <li>{@code ackPerBatch}: the receiver takes every datagram of the batch, then updates once:
 *       what ACK coalescing would leave.</li>
 * </ul>
 *
 * What this leaves out is everything around the engine: sockets, framing, the event loop, the
 * plugins. Compare with OneWayThroughput's per-message time to see the engine's share.
 */
public class KcpEngine extends Microbenchmark {

    private static final int BATCH = 128;
    private static final int MTU = 1400 - 11;

    @Param({"64", "1024"})
    public int size;

    private final ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
    private final List<ByteBuf> toReceiver = new ArrayList<>();
    private final List<ByteBuf> toSender = new ArrayList<>();
    private final List<ByteBuf> received = new ArrayList<>();
    private Kcp sender;
    private Kcp receiver;
    private ByteBuf message;
    private int clock;
    private long bytesReceived;

    @Setup(Level.Trial)
    public void setUp() {
        sender = engine(toReceiver);
        receiver = engine(toSender);
        message = allocator.directBuffer(size).writeZero(size);
    }

    private Kcp engine(List<ByteBuf> wire) {
        Kcp kcp = new Kcp(42, (datagram, engine) -> wire.add(datagram));
        kcp.nodelay(true, 10, 2, true);
        kcp.wndsize(256, 256);
        kcp.setMtu(MTU);
        kcp.setStream(true);
        kcp.setByteBufAllocator(allocator);
        return kcp;
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
        for (ByteBuf datagram : drain(toReceiver)) {
            input(receiver, datagram);
            receive();
            receiver.update(clock);
            for (ByteBuf ack : drain(toSender)) {
                input(sender, ack);
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

    /** A batch of messages into the sender, flushed onto the wire. */
    private void send() {
        clock++;
        for (int i = 0; i < BATCH; i++) {
            ByteBuf view = message.retainedDuplicate();
            try {
                sender.send(view);
            } finally {
                view.release();
            }
        }
        sender.update(clock);
    }

    /** Whatever is still in flight either way, until the sender has nothing unacknowledged. */
    private long settle() {
        for (int rounds = 0; sender.waitSnd() > 0 || !toReceiver.isEmpty() || !toSender.isEmpty(); rounds++) {
            if (rounds == 10_000) {
                throw new IllegalStateException("the engines did not settle: " + sender.waitSnd() + " unacknowledged");
            }
            clock++;
            exchange();
        }
        return bytesReceived;
    }

    /** Every datagram in flight into the receiver, one update; every ACK back into the sender, one update. */
    private void exchange() {
        for (ByteBuf datagram : drain(toReceiver)) {
            input(receiver, datagram);
        }
        receive();
        receiver.update(clock);
        for (ByteBuf ack : drain(toSender)) {
            input(sender, ack);
        }
        sender.update(clock);
    }

    private void receive() {
        while (receiver.canRecv()) {
            receiver.recv(received);
            for (ByteBuf segment : received) {
                bytesReceived += segment.readableBytes();
                segment.release();
            }
            received.clear();
        }
    }

    private static void input(Kcp kcp, ByteBuf datagram) {
        try {
            if (kcp.input(datagram) < 0) {
                throw new IllegalStateException("the engine refused its own datagram");
            }
        } finally {
            datagram.release();
        }
    }

    private static List<ByteBuf> drain(List<ByteBuf> wire) {
        List<ByteBuf> taken = new ArrayList<>(wire);
        wire.clear();
        return taken;
    }
}
