package gladius.p2p.benchmarks;

import gladius.p2p.Message;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One-way throughput between two nodes on loopback, messages per second: Gladius (KCP over UDP,
 * plain and secure) and, in the same run, what a user would pick instead ({@link Baselines}:
 * Netty TCP, TLS 1.3 from the JDK and from BoringSSL, QUIC; {@code baseline}, parameter
 * {@code transport}), and plain Netty UDP datagrams with no reliability (the limit of this
 * machine's loopback). Each invocation sends a batch and waits until the receiver has counted all
 * of it (UDP: until nothing more arrives; what was lost is printed at the end). 65000 stands for
 * "64 KiB": the largest size that still fits one UDP datagram.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dio.netty.leakDetection.level=disabled"})
public class OneWayThroughput {

    private static final int BATCH = 1_000;

    @Param({"64", "1024", "65000"})
    public int size;

    /** Gladius's kcp.io (the baselines are NIO): {@code -p io=auto,nio} compares its socket implementations in one run. */
    @Param({"auto"})
    public String io;

    /** Gladius secure's kcp.cipher: {@code -p cipher=aes-gcm,chacha20-poly1305} compares the two suites in one run. */
    @Param({"auto"})
    public String cipher;

    private Batch.Pair plain;
    private final AtomicLong gladiusReceived = new AtomicLong();
    private Message message;

    private Batch.Pair secure;
    private final AtomicLong secureReceived = new AtomicLong();
    private Message secureMessage;

    private Channel udpClient;
    private Channel udpServer;
    private final AtomicLong udpReceived = new AtomicLong();
    private long udpSent;

    private EventLoopGroup group;
    private byte[] payload;

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException {
        payload = new byte[size];
        Map<String, String> plainSettings = Map.of("plugins", "none", "kcp.io", io);
        plain = Batch.pair(plainSettings, plainSettings, gladiusReceived);
        message = plain.sender().newMessage("bench", payload);

        Map<String, String> secureSettings = Map.of("plugins", "none", "kcp.secure", "true", "kcp.io", io, "kcp.cipher", cipher);
        secure = Batch.pair(secureSettings, secureSettings, secureReceived);
        secureMessage = secure.sender().newMessage("bench", payload);

        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        udpServer = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(65536))
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ReferenceCountUtil.release(msg);
                        udpReceived.incrementAndGet();
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        udpClient = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .option(ChannelOption.SO_SNDBUF, 4 << 20)
                .handler(new ChannelInboundHandlerAdapter())
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (udpSent > 0) {
            System.out.printf("%nudp: %d of %d datagrams of %d bytes lost (%.2f %%)%n", udpSent - udpReceived.get(), udpSent,
                    size, 100.0 * (udpSent - udpReceived.get()) / udpSent);
        }
        plain.close();
        secure.close();
        udpClient.close().syncUninterruptibly();
        udpServer.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void gladius() {
        Batch.sendAndAwait(plain.sender(), message, gladiusReceived, BATCH);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void gladiusSecure() {
        Batch.sendAndAwait(secure.sender(), secureMessage, secureReceived, BATCH);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void nettyUdp() {
        InetSocketAddress to = (InetSocketAddress) udpServer.localAddress();
        for (int i = 0; i < BATCH; i++) {
            ByteBuf datagram = udpClient.alloc().directBuffer(size).writeBytes(payload);
            DatagramPacket packet = new DatagramPacket(datagram, to);
            if (i % 64 == 63 || i == BATCH - 1) {
                udpClient.writeAndFlush(packet, udpClient.voidPromise());
            } else {
                udpClient.write(packet, udpClient.voidPromise());
            }
        }
        udpSent += BATCH;
        awaitArrivals(udpReceived, udpSent);
    }

    /**
     * No reliability: waits until everything sent arrived, or nothing more has for a millisecond
     * (looking every 10 µs, as the reliable ones do, so the wait does not bound the rate).
     */
    private static void awaitArrivals(AtomicLong received, long sent) {
        long last = received.get();
        long quietSince = System.nanoTime();
        while (last < sent && System.nanoTime() - quietSince < 1_000_000) {
            LockSupport.parkNanos(10_000);
            long now = received.get();
            if (now != last) {
                last = now;
                quietSince = System.nanoTime();
            }
        }
    }

    /**
     * Unreliable UDP as the kernel can carry it at best (the limit below any transport over UDP):
     * native epoll, equal datagrams to one peer sent as GSO runs (up to 64 or 64 KiB a send), read
     * with GRO (the kernel hands over runs coalesced again). What was lost is printed at the end.
     */
    @State(Scope.Benchmark)
    public static class UdpGsoGro {
        private static final int MAX_SEGMENTS = 64;

        private EventLoopGroup group;
        private Channel client;
        private Channel server;
        private final AtomicLong received = new AtomicLong();
        private long sent;
        private int size;

        @Setup(Level.Trial)
        public void open(OneWayThroughput benchmark) throws InterruptedException {
            size = benchmark.size;
            group = Baselines.group(2);
            server = new Bootstrap().group(group).channel(EpollDatagramChannel.class)
                    .option(ChannelOption.SO_RCVBUF, 4 << 20)
                    .option(EpollChannelOption.UDP_GRO, true)
                    .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(65536))
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            DatagramPacket packet = (DatagramPacket) msg;
                            int bytes = packet.content().readableBytes();
                            int segment = packet instanceof io.netty.channel.unix.SegmentedDatagramPacket run ? run.segmentSize() : bytes;
                            received.addAndGet(segment == 0 ? 1 : (bytes + segment - 1) / segment);
                            packet.release();
                        }
                    }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            client = new Bootstrap().group(group).channel(EpollDatagramChannel.class)
                    .option(ChannelOption.SO_SNDBUF, 4 << 20)
                    .handler(new ChannelInboundHandlerAdapter())
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        }

        /** Sends a batch as GSO runs, from the client's event loop. */
        void send(byte[] payload, int count) {
            InetSocketAddress to = (InetSocketAddress) server.localAddress();
            int perRun = Math.max(1, Math.min(MAX_SEGMENTS, 65_000 / payload.length));
            client.eventLoop().execute(() -> {
                for (int left = count; left > 0; ) {
                    int n = Math.min(perRun, left);
                    ByteBuf run = client.alloc().directBuffer(n * payload.length);
                    for (int i = 0; i < n; i++) {
                        run.writeBytes(payload);
                    }
                    client.write(n == 1 ? new DatagramPacket(run, to)
                            : new io.netty.channel.unix.SegmentedDatagramPacket(run, payload.length, to), client.voidPromise());
                    left -= n;
                }
                client.flush();
            });
            sent += count;
        }

        @TearDown(Level.Trial)
        public void close() {
            if (sent > 0) {
                System.out.printf("%nudp with GSO and GRO: %d of %d datagrams of %d bytes lost (%.2f %%)%n", sent - received.get(),
                        sent, size, 100.0 * (sent - received.get()) / sent);
            }
            client.close().syncUninterruptibly();
            server.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void udpGsoGro(UdpGsoGro udp) {
        udp.send(payload, BATCH);
        awaitArrivals(udp.received, udp.sent);
    }

    /** One baseline transport, connected for a trial: see {@link Baselines}. */
    @State(Scope.Benchmark)
    public static class Baseline {
        @Param({"tcp", "tls-jdk", "tls-boringssl", "quic"})
        public String transport;

        private EventLoopGroup group;
        private Baselines.Pair pair;
        private final AtomicLong received = new AtomicLong();

        @Setup(Level.Trial)
        public void open() throws Exception {
            group = Baselines.group(2);
            pair = Baselines.counting(Baselines.Kind.parse(transport), group, received);
        }

        @TearDown(Level.Trial)
        public void close() {
            pair.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void baseline(Baseline baseline) {
        long target = baseline.received.get() + BATCH;
        baseline.pair.send(payload, BATCH);
        while (baseline.received.get() < target) {
            LockSupport.parkNanos(10_000);
        }
    }
}
