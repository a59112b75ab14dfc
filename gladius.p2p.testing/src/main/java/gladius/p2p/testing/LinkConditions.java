package gladius.p2p.testing;

import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link LossyLink} does to each datagram, in each direction: drop it, deliver it twice,
 * hold it back so later ones overtake it, and delay it by a fixed time plus a uniform jitter.
 *
 * @param seed the seed of the link's random choices
 * @param drop probability that a datagram is lost, 0 to 1
 * @param duplicate probability that a delivered datagram is delivered a second time, 0 to 1
 * @param reorder probability that a datagram is held back by {@code reorderHold} extra
 * @param delay fixed one-way delay
 * @param jitter extra one-way delay, uniform from zero to this
 * @param reorderHold how long a reordered datagram is held back
 */
public record LinkConditions(long seed, double drop, double duplicate, double reorder,
                             Duration delay, Duration jitter, Duration reorderHold) {

    /** A link that delivers everything at once. */
    public static final LinkConditions PERFECT =
            new LinkConditions(1, 0, 0, 0, Duration.ZERO, Duration.ZERO, Duration.ZERO);

    /**
     * Checks every field.
     *
     * @param seed the seed of the link's random choices
     * @param drop probability that a datagram is lost, 0 to 1
     * @param duplicate probability that a delivered datagram is delivered a second time, 0 to 1
     * @param reorder probability that a datagram is held back by {@code reorderHold} extra
     * @param delay fixed one-way delay
     * @param jitter extra one-way delay, uniform from zero to this
     * @param reorderHold how long a reordered datagram is held back
     * @throws IllegalArgumentException naming a probability outside 0 to 1 or a negative duration
     */
    public LinkConditions {
        probability("drop", drop);
        probability("duplicate", duplicate);
        probability("reorder", reorder);
        nonNegative("delay", delay);
        nonNegative("jitter", jitter);
        nonNegative("reorderHold", reorderHold);
    }

    /**
     * @param seed a new seed
     * @return these conditions with that seed
     */
    public LinkConditions withSeed(long seed) {
        return new LinkConditions(seed, drop, duplicate, reorder, delay, jitter, reorderHold);
    }

    /**
     * @param p a new drop probability
     * @return these conditions with it
     */
    public LinkConditions withDrop(double p) {
        return new LinkConditions(seed, p, duplicate, reorder, delay, jitter, reorderHold);
    }

    /**
     * @param p a new duplicate probability
     * @return these conditions with it
     */
    public LinkConditions withDuplicate(double p) {
        return new LinkConditions(seed, drop, p, reorder, delay, jitter, reorderHold);
    }

    /**
     * @param p a new reorder probability
     * @param hold how long a reordered datagram is held back
     * @return these conditions with them
     */
    public LinkConditions withReorder(double p, Duration hold) {
        return new LinkConditions(seed, drop, duplicate, p, delay, jitter, hold);
    }

    /**
     * @param fixed a new fixed delay
     * @param extra a new jitter
     * @return these conditions with them
     */
    public LinkConditions withDelay(Duration fixed, Duration extra) {
        return new LinkConditions(seed, drop, duplicate, reorder, fixed, extra, reorderHold);
    }

    private static void probability(String name, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(name + " must be a probability from 0 to 1: " + p);
        }
    }

    private static void nonNegative(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative: " + d);
        }
    }
}
