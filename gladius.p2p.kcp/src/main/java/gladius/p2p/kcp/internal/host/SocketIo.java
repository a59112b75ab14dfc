package gladius.p2p.kcp.internal.host;

import gladius.p2p.kcp.internal.core.KcpSettings;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.ReferenceCounted;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The socket implementation under a network's UDP endpoint, chosen by {@code kcp.io}: Netty's
 * native epoll transport (one {@code recvmmsg} reads many datagrams, one {@code sendmmsg} writes
 * many, and a run of equal-sized datagrams to one peer leaves as one UDP GSO send), or the JDK's
 * NIO, one datagram per system call. Both carry the same datagrams; only the system calls differ.
 */
public enum SocketIo {

    EPOLL("native epoll"),
    NIO("NIO");

    private static final System.Logger LOG = System.getLogger(SocketIo.class.getName());
    /** The first network of the process says which implementation it got; the rest stay quiet. */
    private static final AtomicBoolean LOGGED = new AtomicBoolean();

    private final String description;

    SocketIo(String description) {
        this.description = description;
    }

    /**
     * The implementation for a choice.
     *
     * @throws IllegalArgumentException naming {@code kcp.io} when epoll was asked for and cannot load here
     */
    public static SocketIo resolve(KcpSettings.Io choice) {
        SocketIo io;
        String why = "";
        switch (choice) {
            case NIO -> io = NIO;
            case EPOLL -> {
                if (!Epoll.isAvailable()) {
                    throw new IllegalArgumentException("setting kcp.io=epoll: Netty's native epoll transport is not available here ("
                            + Epoll.unavailabilityCause() + "); use kcp.io=nio or auto");
                }
                io = EPOLL;
            }
            default -> {
                String unusable = epollUnusable();
                io = unusable == null ? EPOLL : NIO;
                why = unusable == null ? "" : ", " + unusable;
            }
        }
        if (LOGGED.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.INFO, "kcp.io={0}: sockets on {1}{2}", choice.name().toLowerCase(Locale.ROOT),
                    io == EPOLL && io.segmentedSends() ? "native epoll (sendmmsg, UDP GSO, UDP GRO or recvmmsg)" : io, why);
        }
        return io;
    }

    /** Why auto does not pick epoll here, or null if it can. */
    private static String epollUnusable() {
        if (!nativeAccessSilent()) {
            // Java 24+ warns on every JNI library load the user did not allow; auto never causes that warning.
            return "as native epoll needs --enable-native-access=" + nettyModuleName() + " on Java " + Runtime.version().feature();
        }
        if (!Epoll.isAvailable()) {
            return "as native epoll is not available (" + Epoll.unavailabilityCause() + ")";
        }
        return null;
    }

    /**
     * Whether loading Netty's native library leaves the JVM silent: before Java 24 always; from 24
     * on only if native access is enabled for the module that loads it (JEP 472).
     */
    private static boolean nativeAccessSilent() {
        if (Runtime.version().feature() < 24) {
            return true;
        }
        try {
            Method enabled = Module.class.getMethod("isNativeAccessEnabled");
            return (Boolean) enabled.invoke(ReferenceCounted.class.getModule());
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    private static String nettyModuleName() {
        Module netty = ReferenceCounted.class.getModule();
        return netty.isNamed() ? netty.getName() : "ALL-UNNAMED";
    }

    IoHandlerFactory handlerFactory() {
        return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    Class<? extends DatagramChannel> channelClass() {
        return this == EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    /** Whether a run of datagrams to one peer can leave as one segmented (UDP GSO) send. */
    boolean segmentedSends() {
        return this == EPOLL && EpollDatagramChannel.isSegmentedDatagramPacketSupported();
    }

    @Override
    public String toString() {
        return description;
    }
}
