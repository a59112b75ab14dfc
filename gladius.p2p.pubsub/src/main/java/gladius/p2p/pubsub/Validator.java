package gladius.p2p.pubsub;

/**
 * An application's check of a topic's messages, before they are delivered or passed on
 * ({@link PubSub#validator}). Runs on the plugin thread: it must not block. One that throws counts
 * as {@link Verdict#IGNORE} (and is logged and counted as a handler failure).
 */
@FunctionalInterface
public interface Validator {

    /** What a validator says of a message. */
    enum Verdict {
        /** Deliver it and pass it on. */
        ACCEPT,
        /** Drop it quietly: not wrong, but of no use (late, say). */
        IGNORE,
        /** Drop it and hold it against the peer that sent it (counted; scored, once scores exist). */
        REJECT
    }

    /**
     * Judges a message.
     *
     * @param message the message
     * @return the verdict
     */
    Verdict check(Delivery message);
}
