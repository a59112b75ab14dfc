package gladius.p2p.discovery;

/**
 * Discovery's figures over JMX: the kcp transport shows a plugin that implements this as
 * {@code gladius.p2p:type=Plugin,network="HOST:PORT",name=Discovery} (docs/OBSERVABILITY.md).
 */
public interface DiscoveryMXBean {

    /** @return nodes in discovery's table (the route table as discovery keeps it) */
    int getKnownPeers();

    /** @return rounds run: each deletes unreachable nodes and asks peers for more */
    long getRounds();

    /** @return discovery messages that could not be parsed */
    long getMalformedMessages();

    /** @return answers from peers that were not asked */
    long getUnsolicitedAnswers();

    /** @return nodes named in answers that were not added (see DiscoveryService#refusedNodes) */
    long getRefusedNodes();

    /** @return requests dropped for coming too soon after the same peer's last one */
    long getUnansweredRequests();
}
