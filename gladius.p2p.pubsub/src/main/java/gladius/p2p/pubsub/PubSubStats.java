package gladius.p2p.pubsub;

/**
 * Pubsub's figures at one moment (also as JMX attributes and Prometheus series). Counters only grow.
 *
 * @param topics topics this node subscribes to
 * @param peers peers known to run pubsub
 * @param meshPeers mesh places over all topics (a peer in two meshes counts twice)
 * @param published messages this node published
 * @param delivered messages delivered to this node's handlers (each once, whatever the handlers)
 * @param forwarded copies of others' messages passed on to mesh peers
 * @param duplicates copies received of messages already seen
 * @param malformed messages that were no pubsub message (or too large), dropped
 * @param rejected messages a validator rejected
 * @param ignored messages a validator ignored (and those it threw on)
 * @param refused frames refused: topics past a peer's limit, and mesh and gossip frames of topics not subscribed here
 * @param graylisted messages from peers whose scores are below the graylist threshold, dropped unread
 * @param grafts GRAFTs sent
 * @param prunes PRUNEs sent
 * @param ihaveSent IHAVE frames sent (gossip)
 * @param iwantSent message IDs asked for (IWANT)
 * @param servedFromCache messages sent from the message cache in answer to IWANT
 * @param handlerFailures handlers and validators that threw, each logged
 */
public record PubSubStats(int topics, int peers, int meshPeers, long published, long delivered, long forwarded,
                          long duplicates, long malformed, long rejected, long ignored, long refused, long graylisted, long grafts,
                          long prunes, long ihaveSent, long iwantSent, long servedFromCache, long handlerFailures) {}
