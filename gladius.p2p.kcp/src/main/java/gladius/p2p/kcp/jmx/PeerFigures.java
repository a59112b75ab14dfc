package gladius.p2p.kcp.jmx;

import javax.management.ConstructorParameters;

/** One peer's figures as {@link NetworkMXBean#getPeers()} gives them (an MXBean composite). */
public final class PeerFigures {

    private final String address;
    private final boolean inRouteTable;
    private final boolean connected;
    private final boolean inbound;
    private final String relay;
    private final double smoothedRttMillis;
    private final long messagesSent;
    private final long messagesReceived;
    private final long retransmissions;
    private final int queuedMessages;

    /**
     * @param address the peer, HOST:PORT
     * @param inRouteTable whether it is in the route table
     * @param connected whether a session is established
     * @param inbound whether the peer opened the session
     * @param relay the relay the session goes through, or empty if direct
     * @param smoothedRttMillis the transport's smoothed round trip
     * @param messagesSent messages sent to it
     * @param messagesReceived messages received from it
     * @param retransmissions segments sent to it again
     * @param queuedMessages messages waiting for it
     */
    @ConstructorParameters({"address", "inRouteTable", "connected", "inbound", "relay", "smoothedRttMillis",
            "messagesSent", "messagesReceived", "retransmissions", "queuedMessages"})
    public PeerFigures(String address, boolean inRouteTable, boolean connected, boolean inbound, String relay,
                       double smoothedRttMillis, long messagesSent, long messagesReceived, long retransmissions,
                       int queuedMessages) {
        this.address = address;
        this.inRouteTable = inRouteTable;
        this.connected = connected;
        this.inbound = inbound;
        this.relay = relay;
        this.smoothedRttMillis = smoothedRttMillis;
        this.messagesSent = messagesSent;
        this.messagesReceived = messagesReceived;
        this.retransmissions = retransmissions;
        this.queuedMessages = queuedMessages;
    }

    /** @return the peer, HOST:PORT */
    public String getAddress() {
        return address;
    }

    /** @return whether it is in the route table */
    public boolean isInRouteTable() {
        return inRouteTable;
    }

    /** @return whether a session is established */
    public boolean isConnected() {
        return connected;
    }

    /** @return whether the peer opened the session */
    public boolean isInbound() {
        return inbound;
    }

    /** @return the relay the session goes through, or empty if direct */
    public String getRelay() {
        return relay;
    }

    /** @return the transport's smoothed round trip, in milliseconds */
    public double getSmoothedRttMillis() {
        return smoothedRttMillis;
    }

    /** @return messages sent to it */
    public long getMessagesSent() {
        return messagesSent;
    }

    /** @return messages received from it */
    public long getMessagesReceived() {
        return messagesReceived;
    }

    /** @return segments sent to it again */
    public long getRetransmissions() {
        return retransmissions;
    }

    /** @return messages waiting for it */
    public int getQueuedMessages() {
        return queuedMessages;
    }
}
