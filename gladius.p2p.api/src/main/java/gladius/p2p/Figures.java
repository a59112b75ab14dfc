package gladius.p2p;

import java.util.List;
import java.util.function.ToLongFunction;

/** The figures' descriptions ({@link NetworkState#figures()}), built once. */
final class Figures {

    private Figures() {}

    static final List<Figure> ALL = List.of(
            counter("messagesSent", "Messages sent, counted once per peer they went to.", NetworkState::messagesSent),
            counter("messagesReceived", "Messages received whole and handed to the plugins.", NetworkState::messagesReceived),
            bytes("bytesSent", "Bytes of datagrams sent.", NetworkState::bytesSent),
            bytes("bytesReceived", "Bytes of datagrams received.", NetworkState::bytesReceived),
            counter("messagesDropped", "Messages dropped: full queues, sessions that ended with messages unacknowledged, closing.",
                    NetworkState::messagesDropped),
            counter("checksumFailures", "Frames whose checksum did not match.", NetworkState::checksumFailures),
            counter("malformedInputs", "Datagrams and frames that could not be parsed.", NetworkState::malformedInputs),
            counter("pluginFailures", "Plugin callbacks that threw.", NetworkState::pluginFailures),
            counter("sessionsRefused", "Handshakes refused, by this node or its peers.", NetworkState::sessionsRefused),
            counter("unauthenticatedDatagrams", "Datagrams dropped because they did not authenticate (secure mode).",
                    NetworkState::unauthenticatedDatagrams),
            counter("relayedDatagrams", "Datagrams relayed for peers.", NetworkState::relayedDatagrams),
            bytes("relayedBytes", "Bytes relayed for peers.", NetworkState::relayedBytes),
            counter("relayDrops", "Datagrams this node was asked to relay and did not.", NetworkState::relayDrops),
            gauge("relayCircuits", "Pairs of peers relayed now.", NetworkState::relayCircuits),
            gauge("routeTablePeers", "Peers in the route table.",
                    state -> state.peers().stream().filter(PeerState::inRouteTable).count()),
            gauge("connectedPeers", "Peers with an established session.",
                    state -> state.peers().stream().filter(PeerState::connected).count()));

    private static Figure counter(String name, String help, ToLongFunction<NetworkState> value) {
        return new Figure(name, help, Figure.Unit.COUNT, Figure.Kind.COUNTER, value);
    }

    private static Figure bytes(String name, String help, ToLongFunction<NetworkState> value) {
        return new Figure(name, help, Figure.Unit.BYTES, Figure.Kind.COUNTER, value);
    }

    private static Figure gauge(String name, String help, ToLongFunction<NetworkState> value) {
        return new Figure(name, help, Figure.Unit.COUNT, Figure.Kind.GAUGE, value);
    }
}
