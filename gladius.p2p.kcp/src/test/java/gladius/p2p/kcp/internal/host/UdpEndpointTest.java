package gladius.p2p.kcp.internal.host;

import gladius.p2p.kcp.internal.observe.Counters;
import gladius.p2p.testing.Await;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The socket under every session, on each implementation: what one endpoint writes arrives at
 * another as the same datagrams, one for one, in order, whether they left one per system call
 * (NIO), in one {@code sendmmsg}, or cut from one UDP GSO send (epoll), and were read one by one
 * (NIO) or as coalesced runs cut back into datagrams (epoll, UDP GRO).
 */
@ParameterizedClass(name = "{0}")
@EnumSource(SocketIo.class)
class UdpEndpointTest {

    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

    @Parameter
    SocketIo io;

    private EventLoopGroup group;
    private final List<UdpEndpoint> endpoints = new ArrayList<>();

    @BeforeEach
    void group() {
        group = new MultiThreadIoEventLoopGroup(2, io.handlerFactory());
    }

    @AfterEach
    void close() {
        endpoints.forEach(UdpEndpoint::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void runsOfDatagramsToOnePeerArriveAsTheSameDatagramsInOrder() {
        Collector atB = new Collector();
        UdpEndpoint a = bind(new Collector());
        UdpEndpoint b = bind(atB);
        UdpEndpoint c = bind(new Collector());
        // Full-sized runs longer than one GSO send, a shorter one that ends a run, a datagram that
        // may not join a run (larger than its first), one-datagram runs, and a write to another
        // peer in the middle: each must leave as itself.
        int[] sizes = {1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400,
            1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400,
            1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400,
            700, 1400, 1400, 30, 31, 1399, 1400, 24};
        List<byte[]> sent = new ArrayList<>();
        a.call(() -> {
            for (int i = 0; i < sizes.length; i++) {
                byte[] datagram = datagram(i, sizes[i]);
                sent.add(datagram);
                a.write(b.localAddress(), a.alloc().directBuffer(datagram.length).writeBytes(datagram));
                if (i == 53) {
                    a.write(c.localAddress(), a.alloc().directBuffer(8).writeLong(i));
                }
            }
            a.flush();
            return null;
        });

        Await.until("every datagram at b", () -> atB.count() >= sizes.length, () -> atB.count() + " of " + sizes.length);
        List<byte[]> received = atB.datagrams();
        assertEquals(sizes.length, received.size(), "one datagram received per datagram written");
        for (int i = 0; i < sizes.length; i++) {
            assertEquals(ByteBufUtil.hexDump(sent.get(i)), ByteBufUtil.hexDump(received.get(i)), "datagram " + i);
        }
        assertTrue(atB.senders().stream().allMatch(a.localAddress()::equals), "every datagram came from a's socket");
        // On epoll the runs were read coalesced (UDP GRO, which every Linux since 5.0 has) and cut back.
        assertEquals(io == SocketIo.EPOLL, b.coalescedReads(), "runs read coalesced");
    }

    @Test
    void aDatagramLongerThanTheMtuIsReadAsLongerThanTheMtu() {
        Collector atB = new Collector();
        UdpEndpoint a = bind(new Collector());
        UdpEndpoint b = bind(atB);
        // The reader's slot is one byte over the largest datagram (2048 at the default MTU), so the
        // session layer can tell a too-long datagram from a whole one and drop it.
        a.call(() -> {
            a.write(b.localAddress(), a.alloc().directBuffer(4000).writeZero(4000));
            a.write(b.localAddress(), a.alloc().directBuffer(100).writeZero(100));
            a.flush();
            return null;
        });
        Await.until("both datagrams at b", () -> atB.count() >= 2, () -> atB.count() + " of 2");
        assertTrue(atB.datagrams().get(0).length > 1401, "the long one is not read as a whole datagram of the MTU");
        assertEquals(100, atB.datagrams().get(1).length);
    }

    private UdpEndpoint bind(ChannelHandler reader) {
        UdpEndpoint endpoint = UdpEndpoint.bind(io, group, LOOPBACK, 1400, reader, new Counters());
        endpoints.add(endpoint);
        endpoint.startReading();
        return endpoint;
    }

    /** Bytes that say which datagram they are, so a mix-up shows. */
    private static byte[] datagram(int index, int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (index * 31 + i);
        }
        return bytes;
    }

    @ChannelHandler.Sharable
    private static final class Collector extends ChannelInboundHandlerAdapter {
        private final List<byte[]> datagrams = new ArrayList<>();
        private final List<InetSocketAddress> senders = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket packet = (DatagramPacket) msg;
            try {
                ByteBuf content = packet.content();
                synchronized (this) {
                    datagrams.add(ByteBufUtil.getBytes(content));
                    senders.add(packet.sender());
                }
            } finally {
                packet.release();
            }
        }

        synchronized int count() {
            return datagrams.size();
        }

        synchronized List<byte[]> datagrams() {
            return List.copyOf(datagrams);
        }

        synchronized List<InetSocketAddress> senders() {
            return List.copyOf(senders);
        }
    }
}
