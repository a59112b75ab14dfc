package gladius.p2p.benchmarks;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.Plugin;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * One-way bulk throughput between two processes, which may sit on two hosts: on loopback every
 * 65,000-byte TCP write is one 64 KiB segment, across a real link TCP has to cut it into MSS-sized
 * ones as Gladius cuts messages into KCP segments. {@code benchmarks/bulk-veth.sh} runs this in two
 * network namespaces joined by a veth pair of MTU 1500. Not JMH: two processes, each its own JVM.
 *
 * <pre>
 *   java -cp benchmarks.jar gladius.p2p.benchmarks.BulkAcrossHosts receive SYSTEM HOST:PORT [--batch 1000]
 *        (prints "listening", then counts until killed; every batch-th message it answers the sender)
 *   java -cp benchmarks.jar gladius.p2p.benchmarks.BulkAcrossHosts send SYSTEM HOST:PORT [--from HOST]
 *        [--batch 1000] [--size 65000] [--rounds 5] [--warmup 3]
 *        (sends rounds of one batch each, timing each until the receiver's answer; prints one JSON line)
 * </pre>
 *
 * SYSTEM: {@code gladius}, {@code gladius-secure} (Gladius with the default settings but
 * {@code plugins=none}; the receiver counts in a non-blocking plugin) or {@code tcp} (Netty TCP on
 * epoll, {@code TCP_NODELAY}, the {@link Baselines} client: 4-byte length-prefixed frames sent
 * from the event loop as writability allows). Both processes name the same system and batch.
 */
public final class BulkAcrossHosts {

    private static final String BULK = "bulk";
    private static final String DONE = "done";

    private BulkAcrossHosts() {}

    /**
     * @param args see the class javadoc
     * @throws Exception if the system cannot start
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            throw new IllegalArgumentException("usage: receive|send SYSTEM HOST:PORT [options], see the javadoc");
        }
        Map<String, String> options = RoundTripLatency.Options.parse(java.util.Arrays.copyOfRange(args, 3, args.length), Map.of(
                "--batch", "1000", "--size", "65000", "--rounds", "5", "--warmup", "3", "--from", "127.0.0.1"));
        String system = args[1];
        NodeAddress at = NodeAddress.parse(args[2]);
        int batch = positive(options, "--batch");
        switch (args[0]) {
            case "receive" -> receive(system, at, batch);
            case "send" -> send(system, at, batch, options);
            default -> throw new IllegalArgumentException("role must be receive or send, not " + args[0]);
        }
    }

    private static int positive(Map<String, String> options, String name) {
        int value = Integer.parseInt(options.get(name));
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, not " + value);
        }
        return value;
    }

    private static Map<String, String> gladiusSettings(String system) {
        return switch (system) {
            case "gladius" -> Map.of("plugins", "none");
            case "gladius-secure" -> Map.of("plugins", "none", "kcp.secure", "true");
            default -> throw new IllegalArgumentException("SYSTEM: gladius, gladius-secure or tcp, not " + system);
        };
    }

    // ---------------------------------------------------------------- receiver

    private static void receive(String system, NodeAddress at, int batch) throws Exception {
        if (system.equals("tcp")) {
            EventLoopGroup group = Baselines.group(1);
            AtomicLong frames = new AtomicLong();
            Baselines.tcpServer(group, new InetSocketAddress(at.host(), at.port()), () -> new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ReferenceCountUtil.release(msg);
                    if (frames.incrementAndGet() % batch == 0) {
                        ctx.writeAndFlush(ctx.alloc().buffer(4).writeInt(0), ctx.voidPromise()); // an empty frame: "got them"
                    }
                }
            }, null);
        } else {
            Network network = Network.create(gladiusSettings(system));
            network.registerPlugin(new Plugin() {
                private long received;

                @Override
                public boolean nonBlocking() {
                    return true;
                }

                @Override
                public void newMessage(Message message) {
                    if (message.type().equals(BULK) && ++received % batch == 0) {
                        network.broadcast(network.newMessage(DONE, new byte[0]), message.sender());
                    }
                }
            });
            network.listen(at);
        }
        System.out.println("listening");
        new CountDownLatch(1).await(); // until killed
    }

    // ---------------------------------------------------------------- sender

    private static void send(String system, NodeAddress to, int batch, Map<String, String> options) throws Exception {
        int size = positive(options, "--size");
        int rounds = positive(options, "--rounds");
        int warmup = Integer.parseInt(options.get("--warmup"));
        byte[] body = new byte[size];
        AtomicLong answers = new AtomicLong();
        List<Double> perSecond = new ArrayList<>();
        long resent = -1; // segments Gladius sent again; TCP's are the kernel's (nstat TcpRetransSegs)
        if (system.equals("tcp")) {
            EventLoopGroup group = Baselines.group(1);
            Baselines.Pair client = Baselines.tcpClient(group, new InetSocketAddress(to.host(), to.port()),
                    new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ((ByteBuf) msg).release();
                            answers.incrementAndGet();
                        }
                    }, null);
            timeRounds(warmup, rounds, batch, answers, perSecond, () -> client.send(body, batch));
            client.close();
            group.shutdownGracefully();
        } else {
            Network network = Network.create(gladiusSettings(system));
            network.registerPlugin(new Plugin() {
                @Override
                public boolean nonBlocking() {
                    return true;
                }

                @Override
                public void newMessage(Message message) {
                    if (message.type().equals(DONE)) {
                        answers.incrementAndGet();
                    }
                }
            });
            network.listen(new NodeAddress(options.get("--from"), 0));
            network.add(to);
            Message message = network.newMessage(BULK, body);
            timeRounds(warmup, rounds, batch, answers, perSecond, () -> {
                for (int i = 0; i < batch; i++) {
                    while (network.broadcast(message, to) == 0) {
                        LockSupport.parkNanos(50_000); // the peer's queue is full: wait, do not lose it
                    }
                }
            });
            resent = Batch.retransmissions(network);
            network.close();
        }
        double best = perSecond.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        System.out.println(String.format(Locale.ROOT,
                "{\"system\":\"%s\",\"size\":%d,\"batch\":%d,\"msgs_per_s\":[%s],\"best_mbit_per_s\":%.0f,\"resent\":%d}",
                system, size, batch, perSecond.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).collect(Collectors.joining(",")),
                best * size * 8 / 1e6, resent));
    }

    /**
     * Sends {@code warmup + rounds} batches, each timed until the receiver's answer for it; the
     * rates of the last {@code rounds} go into perSecond.
     */
    private static void timeRounds(int warmup, int rounds, int batch, AtomicLong answers, List<Double> perSecond,
                                   Runnable sendBatch) {
        for (int round = 0; round < warmup + rounds; round++) {
            long start = System.nanoTime();
            long target = answers.get() + 1;
            sendBatch.run();
            await(answers, target);
            if (round >= warmup) {
                perSecond.add(batch / ((System.nanoTime() - start) / 1e9));
            }
        }
    }

    private static void await(AtomicLong answers, long target) {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (answers.get() < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no answer from the receiver within two minutes");
            }
            LockSupport.parkNanos(20_000);
        }
    }
}
