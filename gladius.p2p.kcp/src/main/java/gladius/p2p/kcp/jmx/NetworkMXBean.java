package gladius.p2p.kcp.jmx;

/**
 * One kcp network as JMX shows it: the figures of its {@code NetworkState}, registered on the
 * platform MBean server as {@code gladius.p2p:type=Network,address="HOST:PORT"} while the network
 * listens ({@code kcp.jmx=false} turns it off). Each read takes a fresh snapshot of the network
 * (one trip onto its event loop), so a console that polls many attributes reads them a few
 * milliseconds apart. docs/OBSERVABILITY.md lists the names.
 */
public interface NetworkMXBean {

    /** @return the bound address, HOST:PORT */
    String getLocalAddress();

    /** @return the addresses peers report seeing this node at, most reported first */
    String[] getObservedAddresses();

    /** @return the socket implementation, epoll or nio */
    String getIo();

    /** @return messages queued for sending, per peer */
    long getMessagesSent();

    /** @return messages delivered to the plugins */
    long getMessagesReceived();

    /** @return bytes of datagrams sent */
    long getBytesSent();

    /** @return bytes of datagrams received */
    long getBytesReceived();

    /** @return messages dropped: full queues, sessions that ended with messages queued, closing */
    long getMessagesDropped();

    /** @return frames whose CRC-32C did not match */
    long getChecksumFailures();

    /** @return datagrams and frames that were not ours or could not be parsed */
    long getMalformedInputs();

    /** @return plugin callbacks that threw */
    long getPluginFailures();

    /** @return handshakes refused, by this node or its peers */
    long getSessionsRefused();

    /** @return datagrams dropped because they did not authenticate (secure mode) */
    long getUnauthenticatedDatagrams();

    /** @return datagrams relayed for peers */
    long getRelayedDatagrams();

    /** @return bytes relayed for peers */
    long getRelayedBytes();

    /** @return datagrams this node was asked to relay and did not */
    long getRelayDrops();

    /** @return pairs of peers relayed now */
    int getRelayCircuits();

    /** @return peers in the route table */
    int getRouteTablePeers();

    /** @return peers with an established session */
    int getConnectedPeers();

    /** @return every known peer with its figures */
    PeerFigures[] getPeers();
}
