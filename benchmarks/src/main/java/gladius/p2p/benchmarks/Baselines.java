package gladius.p2p.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.quic.EpollQuicUtils;
import io.netty.handler.codec.quic.InsecureQuicTokenHandler;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicChannelOption;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicCodecBuilder;
import io.netty.handler.codec.quic.QuicCongestionControlAlgorithm;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * What a user would pick instead of Gladius, each as a connected pair on loopback whose client
 * sends length-prefixed frames (4-byte length, then the body) that the server counts or sends
 * back: plain TCP,
 * TCP with TLS 1.3 from the JDK's provider or from BoringSSL (netty-tcnative), and QUIC (Netty's
 * codec on quiche). All on Netty 4.2 over native epoll, as Gladius runs; TLS and QUIC negotiate
 * AES-128-GCM. The client sends from its own event loop for as long as its channel is writable
 * and resumes when it is again, so no baseline queues without bound. Benchmarks only: none of
 * this is in the image.
 *
 * <p>QUIC: one bidirectional stream, 1,400-byte datagrams ({@code kcp.mtu}'s default), UDP GSO on
 * send, CUBIC, 16 MiB connection and 4 MiB stream windows.
 */
final class Baselines {

    /** The transports. */
    enum Kind {
        TCP, TLS_JDK, TLS_BORINGSSL, QUIC;

        static Kind parse(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    private static final String TLS_13 = "TLSv1.3";
    private static final List<String> AES_128_GCM = List.of("TLS_AES_128_GCM_SHA256");
    private static final int MAX_FRAME = 1 << 20;
    private static final int QUIC_DATAGRAM = 1400;
    private static final int QUIC_STREAM_WINDOW = 4 << 20;
    private static final String QUIC_ALPN = "gladius-bench";
    /** Datagrams one GSO send may carry (Netty's EpollQuicUtils). */
    private static final int GSO_SEGMENTS = 16;

    private Baselines() {}

    /** Event loops for the baselines: epoll, as Gladius's default. */
    static EventLoopGroup group(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
    }

    /** A connected client and server, made by {@link #counting} or {@link #echoing}. */
    static final class Pair implements AutoCloseable {
        private final List<Channel> channels;
        private final Channel stream;
        private final Sender sender;

        private Pair(List<Channel> channels, Channel stream, Sender sender) {
            this.channels = channels;
            this.stream = stream;
            this.sender = sender;
        }

        /** Writes and flushes one whole frame (its length prefix included) from any thread. */
        void write(ByteBuf frame) {
            stream.writeAndFlush(frame, stream.voidPromise());
        }

        /** Queues {@code count} frames of {@code body} to be sent from the client's event loop as writability allows. */
        void send(byte[] body, int count) {
            stream.eventLoop().execute(() -> sender.add(stream, body, count));
        }

        @Override
        public void close() {
            for (Channel channel : channels) {
                channel.close().syncUninterruptibly();
            }
        }
    }

    /** A pair whose server counts the frames it receives (one-way throughput). */
    static Pair counting(Kind kind, EventLoopGroup group, AtomicLong received) throws Exception {
        return open(kind, group, () -> new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg);
                received.incrementAndGet();
            }
        }, null);
    }

    /** A pair whose server sends each frame back whole, and whose client hands each answer's first 8 bytes to {@code onEcho}. */
    static Pair echoing(Kind kind, EventLoopGroup group, LongConsumer onEcho) throws Exception {
        return open(kind, group, () -> new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ctx.writeAndFlush(msg, ctx.voidPromise());
            }
        }, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf frame = (ByteBuf) msg;
                onEcho.accept(frame.getLong(frame.readerIndex() + 4));
                frame.release();
            }
        });
    }

    /**
     * A connected pair: {@code serverFrames} makes the handler of each server connection's whole
     * frames (length prefix included); {@code clientFrames}, if not null, gets the whole frames the
     * server sends back.
     */
    private static Pair open(Kind kind, EventLoopGroup group, Supplier<ChannelHandler> serverFrames, ChannelHandler clientFrames)
            throws Exception {
        return switch (kind) {
            case TCP -> tcp(group, serverFrames, clientFrames, null, null);
            case TLS_JDK -> tcp(group, serverFrames, clientFrames, tls(SslProvider.JDK, true), tls(SslProvider.JDK, false));
            case TLS_BORINGSSL -> tcp(group, serverFrames, clientFrames, tls(SslProvider.OPENSSL, true), tls(SslProvider.OPENSSL, false));
            case QUIC -> quic(group, serverFrames, clientFrames);
        };
    }

    private static Pair tcp(EventLoopGroup group, Supplier<ChannelHandler> serverFrames, ChannelHandler clientFrames,
                            SslContext serverTls, SslContext clientTls) throws Exception {
        Channel server = tcpServer(group, new InetSocketAddress("127.0.0.1", 0), serverFrames, serverTls);
        Pair client = tcpClient(group, (InetSocketAddress) server.localAddress(), clientFrames, clientTls);
        return new Pair(List.of(client.stream, server), client.stream, client.sender);
    }

    /** A TCP server (TLS 1.3 if {@code tls} is not null) at {@code bind}; each connection's whole frames go to a new serverFrames. */
    static Channel tcpServer(EventLoopGroup group, InetSocketAddress bind, Supplier<ChannelHandler> serverFrames, SslContext tls)
            throws InterruptedException {
        return new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        frames(ch.pipeline(), serverFrames.get());
                    }
                }).bind(bind).sync().channel();
    }

    /** A TCP client of the server at {@code to}, its handshake done; the server's answers, as whole frames, go to clientFrames. */
    static Pair tcpClient(EventLoopGroup group, InetSocketAddress to, ChannelHandler clientFrames, SslContext tls)
            throws InterruptedException {
        Sender sender = new Sender();
        Channel client = new Bootstrap().group(group).channel(EpollSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), to.getHostString(), to.getPort()));
                        }
                        client(ch.pipeline(), sender, clientFrames);
                    }
                }).connect(to).sync().channel();
        SslHandler handshake = client.pipeline().get(SslHandler.class);
        if (handshake != null) {
            handshake.handshakeFuture().sync();
        }
        return new Pair(List.of(client), client, sender);
    }

    private static SslContext tls(SslProvider provider, boolean server) throws Exception {
        SslContextBuilder builder = server
                ? SslContextBuilder.forServer(Certificate.key(), Certificate.cert())
                : SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE);
        return builder.sslProvider(provider).protocols(TLS_13).ciphers(AES_128_GCM).build();
    }

    private static Pair quic(EventLoopGroup group, Supplier<ChannelHandler> serverFrames, ChannelHandler clientFrames)
            throws Exception {
        QuicSslContext serverTls = QuicSslContextBuilder.forServer(Certificate.key(), null, Certificate.cert())
                .applicationProtocols(QUIC_ALPN).build();
        ChannelHandler serverCodec = transport(new QuicServerCodecBuilder().sslContext(serverTls))
                .initialMaxStreamDataBidirectionalRemote(QUIC_STREAM_WINDOW)
                .initialMaxStreamsBidirectional(8)
                .option(QuicChannelOption.SEGMENTED_DATAGRAM_PACKET_ALLOCATOR, EpollQuicUtils.newSegmentedAllocator(GSO_SEGMENTS))
                .tokenHandler(InsecureQuicTokenHandler.INSTANCE)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public boolean isSharable() {
                        return true;
                    }
                })
                .streamHandler(new ChannelInitializer<QuicStreamChannel>() {
                    @Override
                    protected void initChannel(QuicStreamChannel ch) {
                        frames(ch.pipeline(), serverFrames.get());
                    }
                }).build();
        Channel server = new Bootstrap().group(group).channel(EpollDatagramChannel.class).handler(serverCodec)
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();

        QuicSslContext clientTls = QuicSslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE)
                .applicationProtocols(QUIC_ALPN).build();
        ChannelHandler clientCodec = transport(new QuicClientCodecBuilder().sslContext(clientTls))
                .initialMaxStreamDataBidirectionalLocal(QUIC_STREAM_WINDOW)
                .build();
        Channel udp = new Bootstrap().group(group).channel(EpollDatagramChannel.class).handler(clientCodec)
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        QuicChannel connection = QuicChannel.newBootstrap(udp).streamHandler(new ChannelInboundHandlerAdapter())
                .option(QuicChannelOption.SEGMENTED_DATAGRAM_PACKET_ALLOCATOR, EpollQuicUtils.newSegmentedAllocator(GSO_SEGMENTS))
                .remoteAddress(server.localAddress()).connect().get(10, TimeUnit.SECONDS);
        Sender sender = new Sender();
        QuicStreamChannel stream = connection.createStream(QuicStreamType.BIDIRECTIONAL, new ChannelInitializer<QuicStreamChannel>() {
            @Override
            protected void initChannel(QuicStreamChannel ch) {
                client(ch.pipeline(), sender, clientFrames);
            }
        }).get(10, TimeUnit.SECONDS);
        return new Pair(List.of(stream, connection, udp, server), stream, sender);
    }

    /** What both ends of the QUIC baseline set alike: idle timeout, datagram size, connection window, CUBIC. */
    private static <B extends QuicCodecBuilder<B>> B transport(B builder) {
        return builder.maxIdleTimeout(60, TimeUnit.SECONDS)
                .maxSendUdpPayloadSize(QUIC_DATAGRAM).maxRecvUdpPayloadSize(QUIC_DATAGRAM)
                .initialMaxData(16 << 20)
                .congestionControlAlgorithm(QuicCongestionControlAlgorithm.CUBIC);
    }

    /** A client's pipeline (after TLS, if any): the sender, then the server's answers as frames if someone wants them. */
    private static void client(ChannelPipeline pipeline, Sender sender, ChannelHandler clientFrames) {
        pipeline.addLast(sender);
        if (clientFrames != null) {
            frames(pipeline, clientFrames);
        }
    }

    /** Length-prefixed frames, whole (prefix included), into {@code handler}. */
    private static void frames(ChannelPipeline pipeline, ChannelHandler handler) {
        pipeline.addLast(new LengthFieldBasedFrameDecoder(MAX_FRAME, 0, 4, 0, 0), handler);
    }

    /** Writes queued frames while the channel is writable, flushing once a burst; resumes when it is writable again. Event loop only. */
    @ChannelHandler.Sharable
    private static final class Sender extends ChannelInboundHandlerAdapter {
        private byte[] body;
        private long remaining;

        void add(Channel channel, byte[] body, int count) {
            this.body = body;
            remaining += count;
            pump(channel);
        }

        private void pump(Channel channel) {
            boolean wrote = false;
            while (remaining > 0 && channel.isWritable()) {
                ByteBuf frame = channel.alloc().directBuffer(4 + body.length);
                frame.writeInt(body.length).writeBytes(body);
                channel.write(frame, channel.voidPromise());
                remaining--;
                wrote = true;
            }
            if (wrote) {
                channel.flush();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                pump(ctx.channel());
            }
            ctx.fireChannelWritabilityChanged();
        }
    }

    /** One self-signed certificate (ECDSA P-256) for every TLS and QUIC server of a run. */
    private static final class Certificate {
        static final X509Bundle SELF_SIGNED = make();

        private static X509Bundle make() {
            try {
                return new CertificateBuilder().subject("CN=localhost").addSanDnsName("localhost").setIsCertificateAuthority(true).ecp256()
                        .buildSelfSigned();
            } catch (Exception e) {
                throw new IllegalStateException("no self-signed certificate for the TLS baselines", e);
            }
        }

        static PrivateKey key() {
            return SELF_SIGNED.getKeyPair().getPrivate();
        }

        static X509Certificate cert() {
            return SELF_SIGNED.getCertificate();
        }
    }
}
