package gladius.p2p.pubsub;

/**
 * Pubsub's figures over JMX ({@link PubSubStats} one by one): the kcp transport shows a plugin that
 * implements this as {@code gladius.p2p:type=Plugin,network="HOST:PORT",name=PubSub}
 * (docs/OBSERVABILITY.md).
 */
public interface PubSubMXBean {

    /** @return topics this node subscribes to */
    int getTopics();

    /** @return peers known to run pubsub */
    int getPeers();

    /** @return mesh places over all topics */
    int getMeshPeers();

    /** @return messages this node published */
    long getPublished();

    /** @return messages delivered to this node's handlers */
    long getDelivered();

    /** @return copies of others' messages passed on */
    long getForwarded();

    /** @return copies received of messages already seen */
    long getDuplicates();

    /** @return messages that were no pubsub message, dropped */
    long getMalformedMessages();

    /** @return messages a validator rejected */
    long getRejected();

    /** @return messages a validator ignored */
    long getIgnored();

    /** @return frames refused */
    long getRefused();

    /** @return messages from graylisted peers, dropped unread */
    long getGraylisted();

    /** @return GRAFTs sent */
    long getGrafts();

    /** @return PRUNEs sent */
    long getPrunes();

    /** @return IHAVE frames sent */
    long getIhaveSent();

    /** @return message IDs asked for */
    long getIwantSent();

    /** @return messages sent from the cache in answer to IWANT */
    long getServedFromCache();

    /** @return handlers and validators that threw */
    long getHandlerFailures();
}
