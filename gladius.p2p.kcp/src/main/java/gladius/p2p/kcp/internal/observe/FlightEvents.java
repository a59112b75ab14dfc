package gladius.p2p.kcp.internal.observe;

import gladius.p2p.NodeAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.function.Consumer;
import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * The transport's JDK Flight Recorder events, named {@code gladius.*} (docs/OBSERVABILITY.md):
 * what someone debugging a node wants on a timeline beside the JVM's own events. Each is cheap
 * when no recording is running ({@code shouldCommit} is checked before any field is filled), and
 * none carries a stack trace: the interesting "where" is the peer, not the thread. The image's
 * {@code jfr/gladius.jfc} turns them on with the JDK's defaults.
 */
public final class FlightEvents {

    static final String CATEGORY = "Gladius P2P";

    /** Resent segments within one housekeeping tick that make a {@link RetransmissionBurst}. */
    public static final long BURST_SEGMENTS = 16;

    private FlightEvents() {}

    public static void opened(InetSocketAddress local, NodeAddress peer, boolean inbound, boolean secure, NodeAddress relay,
                       long setupMillis) {
        emit(new SessionOpened(), local, e -> {
            e.peer = peer.toString();
            e.inbound = inbound;
            e.secure = secure;
            e.relay = relay == null ? "" : relay.toString();
            e.setupMillis = setupMillis;
        });
    }

    public static void closed(InetSocketAddress local, NodeAddress peer, String reason, boolean established, long lifetimeMillis,
                       long retransmissions) {
        emit(new SessionClosed(), local, e -> {
            e.peer = peer.toString();
            e.reason = reason;
            e.established = established;
            e.lifetimeMillis = lifetimeMillis;
            e.retransmissions = retransmissions;
        });
    }

    public static void refused(InetSocketAddress local, InetSocketAddress peer, String reason, boolean byThisNode) {
        emit(new SessionRefused(), local, e -> {
            e.peer = text(peer);
            e.reason = reason;
            e.byThisNode = byThisNode;
        });
    }

    public static void handshake(InetSocketAddress local, NodeAddress peer, boolean initiator, byte[] staticKey) {
        emit(new HandshakeCompleted(), local, e -> {
            e.peer = peer.toString();
            e.initiator = initiator;
            e.staticKey = HexFormat.of().formatHex(staticKey);
        });
    }

    public static void burst(InetSocketAddress local, NodeAddress peer, long segments, long smoothedRttMillis) {
        emit(new RetransmissionBurst(), local, e -> {
            e.peer = peer.toString();
            e.segments = segments;
            e.smoothedRttMillis = smoothedRttMillis;
        });
    }

    public static void dropped(InetSocketAddress local, long messages, long total) {
        emit(new MessagesDropped(), local, e -> {
            e.messages = messages;
            e.total = total;
        });
    }

    public static void relayDrops(InetSocketAddress local, long datagrams, long relayedBytes) {
        emit(new RelayDrops(), local, e -> {
            e.datagrams = datagrams;
            e.relayedBytes = relayedBytes;
        });
    }

    /** Fills and commits an event only if a recording wants it: nothing is computed otherwise. */
    private static <E extends NodeEvent> void emit(E event, InetSocketAddress local, Consumer<E> fields) {
        if (event.shouldCommit()) {
            event.local = text(local);
            fields.accept(event);
            event.commit();
        }
    }

    public static void pluginFailure(String plugin, Throwable failure) {
        PluginFailure event = new PluginFailure();
        if (event.shouldCommit()) {
            event.plugin = plugin;
            event.exception = failure.getClass().getName();
            event.message = failure.getMessage();
            event.commit();
        }
    }

    private static String text(InetSocketAddress address) {
        return address == null ? "" : Addresses.nodeAddress(address).toString();
    }

    /** What every event of one node carries: the node. */
    abstract static class NodeEvent extends Event {
        @Label("Local Address")
        String local;
    }

    @Name("gladius.SessionOpened")
    @Label("Session Opened")
    @Category({CATEGORY, "Sessions"})
    @Description("A session with a peer is established: plain after HELLO and WELCOME, secure after the Noise handshake")
    @StackTrace(false)
    static final class SessionOpened extends NodeEvent {
        @Label("Peer Address")
        String peer;
        @Label("Inbound")
        @Description("The peer dialed this node")
        boolean inbound;
        @Label("Secure")
        boolean secure;
        @Label("Relay")
        @Description("The relay the session goes through; empty if direct")
        String relay;
        @Label("Setup Time")
        @Description("From the first datagram of the session to established")
        @Timespan(Timespan.MILLISECONDS)
        long setupMillis;
    }

    @Name("gladius.SessionClosed")
    @Label("Session Closed")
    @Category({CATEGORY, "Sessions"})
    @Description("A session ended, or a dial or handshake gave up")
    @StackTrace(false)
    static final class SessionClosed extends NodeEvent {
        @Label("Peer Address")
        String peer;
        @Label("Reason")
        String reason;
        @Label("Was Established")
        boolean established;
        @Label("Lifetime")
        @Timespan(Timespan.MILLISECONDS)
        long lifetimeMillis;
        @Label("Retransmissions")
        @Description("Segments this side sent again during the session")
        long retransmissions;
    }

    @Name("gladius.SessionRefused")
    @Label("Session Refused")
    @Category({CATEGORY, "Sessions"})
    @Description("This node refused a session (a limit, the other mode, a key not allowed), or a peer refused this node's")
    @StackTrace(false)
    static final class SessionRefused extends NodeEvent {
        @Label("Peer Address")
        String peer;
        @Label("Reason")
        String reason;
        @Label("By This Node")
        boolean byThisNode;
    }

    @Name("gladius.HandshakeCompleted")
    @Label("Handshake Completed")
    @Category({CATEGORY, "Sessions"})
    @Description("A Noise XX handshake finished (kcp.secure): the peer proved its static key")
    @StackTrace(false)
    static final class HandshakeCompleted extends NodeEvent {
        @Label("Peer Address")
        String peer;
        @Label("Initiator")
        @Description("This node sent the first handshake message")
        boolean initiator;
        @Label("Peer Static Key")
        @Description("X25519 public key, hex")
        String staticKey;
    }

    @Name("gladius.RetransmissionBurst")
    @Label("Retransmission Burst")
    @Category({CATEGORY, "Sessions"})
    @Description("A session sent many segments again within one housekeeping tick: loss, or a peer that stopped reading")
    @StackTrace(false)
    static final class RetransmissionBurst extends NodeEvent {
        @Label("Peer Address")
        String peer;
        @Label("Segments Resent")
        long segments;
        @Label("Smoothed RTT")
        @Timespan(Timespan.MILLISECONDS)
        long smoothedRttMillis;
    }

    @Name("gladius.MessagesDropped")
    @Label("Messages Dropped")
    @Category({CATEGORY, "Messages"})
    @Description("Messages this node dropped (a full queue, a session that ended with messages queued, closing), summed per housekeeping tick")
    @StackTrace(false)
    static final class MessagesDropped extends NodeEvent {
        @Label("Messages")
        long messages;
        @Label("Total")
        @Description("Messages dropped since the network was created")
        long total;
    }

    @Name("gladius.PluginFailure")
    @Label("Plugin Failure")
    @Category({CATEGORY, "Plugins"})
    @Description("A plugin callback threw; the other plugins got the event all the same")
    static final class PluginFailure extends Event {
        @Label("Plugin")
        String plugin;
        @Label("Exception")
        String exception;
        @Label("Message")
        String message;
    }

    @Name("gladius.RelayDrops")
    @Label("Relay Drops")
    @Category({CATEGORY, "Relay"})
    @Description("Datagrams this node was asked to relay and did not, summed per housekeeping tick")
    @StackTrace(false)
    static final class RelayDrops extends NodeEvent {
        @Label("Datagrams")
        long datagrams;
        @Label("Relayed Meanwhile")
        @Description("Bytes this node did relay within the same tick")
        @DataAmount
        long relayedBytes;
    }
}
