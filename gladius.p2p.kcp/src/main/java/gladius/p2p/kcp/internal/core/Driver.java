package gladius.p2p.kcp.internal.core;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.security.SecureRandom;

/**
 * What the protocol core asks of whoever runs it: the time, buffers, and a way for datagrams out.
 * The core has no socket, no executor and no clock of its own: datagrams come in through its
 * entry points, go out through {@link #write}, and its timers ({@link Timers}) run when the driver
 * says their time has come. {@code host.UdpEndpoint} drives it over a Netty channel; a simulation
 * drives many cores on one virtual clock. Called only on the driver's one thread.
 */
public interface Driver {

    /** Milliseconds on the driver's clock: the time of everything the core does. */
    long now();

    /** The wall-clock time of a {@link #now()} reading, in milliseconds since the epoch. */
    long wallMillis(long now);

    /**
     * The core's one source of chance: session tags, handshake keys, the order relays are asked
     * in. A strong generator on sockets; a seeded one in a simulation, so that a seed gives the
     * same run, byte for byte.
     */
    SecureRandom random();

    /** Where datagram buffers come from. */
    ByteBufAllocator alloc();

    /** Queues one datagram for {@code remote}; takes ownership of the buffer. It leaves when the driver flushes. */
    void write(InetSocketAddress remote, ByteBuf datagram);

    /** This node's own address, as bound. */
    InetSocketAddress localAddress();
}
