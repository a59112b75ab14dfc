package gladius.p2p.kcp.internal.observe;

import gladius.p2p.NetworkState;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import gladius.p2p.kcp.jmx.NetworkMXBean;
import gladius.p2p.kcp.jmx.PeerFigures;
import java.lang.management.ManagementFactory;
import java.util.function.Supplier;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * A listening network's {@link NetworkMXBean} on the platform MBean server: registered by
 * {@link #register}, gone after {@link #unregister}. A name already taken (two networks of one
 * process on the same address cannot both listen, but an earlier one may not have closed) is
 * logged and skipped: JMX is for looking, never a reason for a network not to start.
 */
public final class NetworkBean implements NetworkMXBean {

    private static final System.Logger LOG = System.getLogger(NetworkBean.class.getName());

    private final Supplier<NetworkState> state;
    private ObjectName name;

    private NetworkBean(Supplier<NetworkState> state) {
        this.state = state;
    }

    /** The name a network on this address has: {@code gladius.p2p:type=Network,address="HOST:PORT"}. */
    static ObjectName nameFor(NodeAddress address) {
        try {
            return new ObjectName("gladius.p2p:type=Network,address=" + ObjectName.quote(address.toString()));
        } catch (JMException impossible) {
            throw new IllegalStateException("a quoted address is always a valid name: " + address, impossible);
        }
    }

    /** Registers a bean for the network at this address; null if the name was taken. */
    public static NetworkBean register(NodeAddress address, Supplier<NetworkState> state) {
        NetworkBean bean = new NetworkBean(state);
        ObjectName name = nameFor(address);
        try {
            ManagementFactory.getPlatformMBeanServer().registerMBean(bean, name);
            bean.name = name;
            return bean;
        } catch (InstanceAlreadyExistsException e) {
            LOG.log(System.Logger.Level.WARNING, "JMX: {0} is taken; this network is not registered", name);
            return null;
        } catch (JMException e) {
            LOG.log(System.Logger.Level.WARNING, "JMX: could not register " + name, e);
            return null;
        }
    }

    public void unregister() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            server.unregisterMBean(name);
        } catch (InstanceNotFoundException gone) {
            // someone unregistered it for us
        } catch (JMException e) {
            LOG.log(System.Logger.Level.WARNING, "JMX: could not unregister " + name, e);
        }
    }

    @Override
    public String getLocalAddress() {
        return state.get().localAddress().toString();
    }

    @Override
    public String[] getObservedAddresses() {
        return state.get().observedAddresses().stream().map(NodeAddress::toString).toArray(String[]::new);
    }

    @Override
    public String getIo() {
        NetworkState now = state.get();
        return now instanceof Snapshots.Network network ? network.io() : "";
    }

    @Override
    public long getMessagesSent() {
        return state.get().messagesSent();
    }

    @Override
    public long getMessagesReceived() {
        return state.get().messagesReceived();
    }

    @Override
    public long getBytesSent() {
        return state.get().bytesSent();
    }

    @Override
    public long getBytesReceived() {
        return state.get().bytesReceived();
    }

    @Override
    public long getMessagesDropped() {
        return state.get().messagesDropped();
    }

    @Override
    public long getChecksumFailures() {
        return state.get().checksumFailures();
    }

    @Override
    public long getMalformedInputs() {
        return state.get().malformedInputs();
    }

    @Override
    public long getPluginFailures() {
        return state.get().pluginFailures();
    }

    @Override
    public long getSessionsRefused() {
        return state.get().sessionsRefused();
    }

    @Override
    public long getUnauthenticatedDatagrams() {
        return state.get().unauthenticatedDatagrams();
    }

    @Override
    public long getRelayedDatagrams() {
        return state.get().relayedDatagrams();
    }

    @Override
    public long getRelayedBytes() {
        return state.get().relayedBytes();
    }

    @Override
    public long getRelayDrops() {
        return state.get().relayDrops();
    }

    @Override
    public int getRelayCircuits() {
        return state.get().relayCircuits();
    }

    @Override
    public int getRouteTablePeers() {
        return (int) state.get().peers().stream().filter(PeerState::inRouteTable).count();
    }

    @Override
    public int getConnectedPeers() {
        return (int) state.get().peers().stream().filter(PeerState::connected).count();
    }

    @Override
    public PeerFigures[] getPeers() {
        return state.get().peers().stream().map(p -> new PeerFigures(p.address().toString(), p.inRouteTable(), p.connected(),
                p.inbound(), p.relay().map(NodeAddress::toString).orElse(""), p.smoothedRtt().toNanos() / 1e6,
                p.messagesSent(), p.messagesReceived(), p.retransmissions(), p.queuedMessages())).toArray(PeerFigures[]::new);
    }
}
