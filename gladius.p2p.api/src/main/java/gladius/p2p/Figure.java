package gladius.p2p;

import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * What one figure of a {@link NetworkState} is, for whatever shows it: its name (the
 * {@code NetworkState} method it is read with), one line of help, its unit, whether it only grows
 * (a counter) or moves both ways (a gauge), and how to read it from a snapshot.
 * {@link NetworkState#figures()} lists them all, and every view of a node reads that list: the
 * text report, JMX, Prometheus and the live page. A figure added there appears in each of them.
 * Added to the original contract.
 *
 * @param name the figure's name in lower camel case, as its {@code NetworkState} method
 *     ({@code messagesSent}); JMX capitalizes it ({@code MessagesSent}), Prometheus writes it in
 *     snake case with the unit last ({@code gladius_messages_sent_total},
 *     {@code gladius_sent_bytes_total})
 * @param help what it counts or measures, one sentence
 * @param unit what one of it is
 * @param kind counter or gauge
 * @param value how to read it from a snapshot
 */
public record Figure(String name, String help, Unit unit, Kind kind, ToLongFunction<NetworkState> value) {

    /** Whether a figure only grows (since the network was created) or moves both ways. */
    public enum Kind {
        /** Only grows, from 0 when the network is created. */
        COUNTER,
        /** A level now: goes up and down. */
        GAUGE
    }

    /** What one of a figure is. */
    public enum Unit {
        /** A number of things (messages, datagrams, peers): its name says which. */
        COUNT,
        /** Bytes. */
        BYTES
    }

    /**
     * A figure.
     *
     * @param name the figure's name in lower camel case
     * @param help what it counts or measures, one sentence
     * @param unit what one of it is
     * @param kind counter or gauge
     * @param value how to read it from a snapshot
     * @throws IllegalArgumentException naming the argument: a name that is not lower camel case
     *     (letters and digits, a lower-case letter first), or a blank help
     * @throws NullPointerException if any argument is null
     */
    public Figure {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(help, "help");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
        if (!name.matches("[a-z][A-Za-z0-9]*")) {
            throw new IllegalArgumentException("name must be lower camel case (messagesSent), not \"" + name + "\"");
        }
        if (help.isBlank()) {
            throw new IllegalArgumentException("help must say what " + name + " is");
        }
    }

    /**
     * This figure of one snapshot.
     *
     * @param state a snapshot
     * @return the figure's value in it
     */
    public long of(NetworkState state) {
        return value.applyAsLong(state);
    }
}
