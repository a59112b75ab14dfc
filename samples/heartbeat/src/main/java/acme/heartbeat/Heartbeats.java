package acme.heartbeat;

import gladius.p2p.NodeAddress;
import java.util.Map;

/**
 * What the heartbeat plugin knows, for applications: {@code network.plugin(Heartbeats.class)}.
 *
 * <p>Settings: {@code heartbeat.interval} (default 1s), the time between beats.
 */
public interface Heartbeats {

    /** The message type of a heartbeat; its body is the sender's count of beats, as 8 bytes. */
    String TYPE = "heartbeat/beat";

    /** @return how many beats this node heard, by sender */
    Map<NodeAddress, Long> heard();

    /** @return how many beats this node sent */
    long sent();
}
