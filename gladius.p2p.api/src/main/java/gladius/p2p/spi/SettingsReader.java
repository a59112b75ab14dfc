package gladius.p2p.spi;

import gladius.p2p.NodeAddress;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Reads one namespace of a network's settings (such as {@code discovery.*}) with the syntax and
 * the error messages that every part of Gladius shares, so a properties file reads the same
 * whichever part a key belongs to. An addition to the first release's contract, for transports and
 * plugins, including third-party ones.
 *
 * <p>Syntax: booleans are {@code true} or {@code false}; numbers are decimal; durations are
 * {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h} or ISO-8601 ({@code PT5S}); lists are
 * comma-separated. A key whose default is the empty string is optional: unset until given.
 *
 * <p>Keys are always whole, namespace included, everywhere: in the settings, in the defaults and
 * in every read. A plugin whose namespace is {@code "latency."} declares and reads
 * {@code "latency.interval"}, never {@code "interval"}:
 * <pre>{@code
 * SettingsReader r = SettingsReader.of(settings, "latency.", Map.of("latency.interval", "1s"));
 * Duration interval = r.duration("latency.interval", Duration.ofMillis(10), Duration.ofHours(1));
 * }</pre>
 *
 * <p>Every error is an {@link IllegalArgumentException} whose message starts with
 * {@code setting <key>}.
 */
public final class SettingsReader {

    private final Map<String, String> settings;
    private final Map<String, String> defaults;

    private SettingsReader(Map<String, String> settings, Map<String, String> defaults) {
        this.settings = settings;
        this.defaults = defaults;
    }

    /**
     * A reader for one namespace that rejects any key of that namespace it does not know.
     *
     * @param settings all of a network's settings; other namespaces are left alone
     * @param namespace the prefix this part owns, ending with a dot, such as {@code "latency."}
     * @param defaults every key this part reads, whole (namespace included), with its default ({@code ""} for an optional key)
     * @return the reader
     * @throws IllegalArgumentException naming the unknown keys, or a key of the defaults outside the namespace
     */
    public static SettingsReader of(Map<String, String> settings, String namespace, Map<String, String> defaults) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(defaults, "defaults");
        if (namespace == null || namespace.length() < 2 || !namespace.endsWith(".")) {
            throw new IllegalArgumentException("namespace must be a prefix ending with a dot: " + namespace);
        }
        for (String key : defaults.keySet()) {
            if (!key.startsWith(namespace)) {
                // The part's own mistake, found when it is built rather than at its first read.
                throw new IllegalArgumentException("defaults key '" + key + "' is not in namespace " + namespace
                        + ": keys are whole, as in " + namespace + key);
            }
        }
        Set<String> unknown = new TreeSet<>();
        for (String key : settings.keySet()) {
            if (key.startsWith(namespace) && !defaults.containsKey(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown setting " + String.join(", ", unknown) + "; "
                    + namespace + "* has " + new TreeSet<>(defaults.keySet()));
        }
        return new SettingsReader(settings, Map.copyOf(defaults));
    }

    /**
     * A setting as text.
     *
     * @param key a key of this namespace
     * @return its value, trimmed, or its default
     */
    public String text(String key) {
        String fallback = defaults.get(key);
        if (fallback == null) {
            throw new IllegalArgumentException("setting " + key + " is not one this part declared");
        }
        return settings.getOrDefault(key, fallback).trim();
    }

    /**
     * A setting that may be left unset.
     *
     * @param key an optional key
     * @return its value, or empty when unset or blank
     */
    public Optional<String> optional(String key) {
        String value = text(key);
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    /**
     * Parses a value with a parser of the caller's, turning any exception into the shared error.
     *
     * @param key the key
     * @param parser turns the text into a value; may throw any RuntimeException
     * @param expected what a good value looks like, for the message
     * @param <T> the value's type
     * @return the parsed value
     */
    public <T> T parse(String key, Function<String, T> parser, String expected) {
        String value = text(key);
        try {
            return parser.apply(value);
        } catch (RuntimeException e) {
            throw invalid(key, expected, "'" + value + "'", e);
        }
    }

    /**
     * A boolean setting: {@code true} or {@code false}.
     *
     * @param key the key
     * @return true or false
     */
    public boolean bool(String key) {
        return parse(key, t -> switch (t) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(t);
        }, "true or false");
    }

    /**
     * An integer setting within bounds.
     *
     * @param key the key
     * @param min the smallest allowed
     * @param max the largest allowed
     * @return the value
     */
    public int integer(String key, int min, int max) {
        return (int) longValue(key, min, max);
    }

    /**
     * A long integer setting within bounds.
     *
     * @param key the key
     * @param min the smallest allowed
     * @param max the largest allowed
     * @return the value
     */
    public long longValue(String key, long min, long max) {
        String expected = "a whole number from " + min + " to " + max;
        long value = parse(key, Long::parseLong, expected);
        if (value < min || value > max) {
            throw invalid(key, expected, Long.toString(value), null);
        }
        return value;
    }

    /**
     * A decimal setting within bounds.
     *
     * @param key the key
     * @param min the smallest allowed
     * @param max the largest allowed
     * @return the value
     */
    public double decimal(String key, double min, double max) {
        String expected = "a decimal number from " + min + " to " + max;
        double value = parse(key, Double::parseDouble, expected);
        if (!(value >= min && value <= max)) {
            throw invalid(key, expected, Double.toString(value), null);
        }
        return value;
    }

    /**
     * A duration setting ({@code 250ms}, {@code 2s}, {@code 5m}, {@code 1h}) within bounds.
     *
     * @param key the key
     * @param min the shortest allowed
     * @param max the longest allowed
     * @return the value
     */
    public Duration duration(String key, Duration min, Duration max) {
        String expected = "a duration from " + min.toMillis() + "ms to " + max.toMillis() + "ms (like 250ms, 5s, 2m)";
        Duration value = parse(key, SettingsReader::parseDuration, expected);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw invalid(key, expected, value.toMillis() + "ms", null);
        }
        return value;
    }

    /**
     * A duration setting that may be left unset.
     *
     * @param key an optional key
     * @param min the shortest allowed
     * @param max the longest allowed
     * @return the value, or empty when unset
     */
    public Optional<Duration> optionalDuration(String key, Duration min, Duration max) {
        return optional(key).map(unused -> duration(key, min, max));
    }

    /**
     * A decimal setting that may be left unset.
     *
     * @param key an optional key
     * @param min the smallest allowed
     * @param max the largest allowed
     * @return the value, or empty when unset
     */
    public Optional<Double> optionalDecimal(String key, double min, double max) {
        return optional(key).map(unused -> decimal(key, min, max));
    }

    /**
     * A comma-separated list; blank items are skipped.
     *
     * @param key the key
     * @param parser parses one item; may throw any RuntimeException
     * @param expected what a good item looks like, for the message
     * @param <T> the item type
     * @return the items, in order
     */
    public <T> List<T> list(String key, Function<String, T> parser, String expected) {
        List<T> items = new ArrayList<>();
        for (String item : text(key).split(",")) {
            String trimmed = item.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            try {
                items.add(parser.apply(trimmed));
            } catch (RuntimeException e) {
                throw invalid(key, "a comma-separated list of " + expected, "'" + trimmed + "'", e);
            }
        }
        return List.copyOf(items);
    }

    /**
     * A comma-separated list of node addresses.
     *
     * @param key the key
     * @return the node addresses listed, each {@code host:port} with a port from 1 to 65535
     */
    public List<NodeAddress> addresses(String key) {
        return list(key, text -> {
            NodeAddress address = NodeAddress.parse(text);
            if (address.port() == 0) {
                throw new IllegalArgumentException("port 0");
            }
            return address;
        }, "host:port");
    }

    /**
     * The error this reader throws, for checks a part makes itself (such as one setting against another).
     *
     * @param key the key at fault
     * @param expected what a good value looks like
     * @param found what was given
     * @param cause the parser's exception, or null
     * @return the exception to throw
     */
    public static IllegalArgumentException invalid(String key, String expected, String found, Throwable cause) {
        return new IllegalArgumentException("setting " + key + " must be " + expected + ": " + found, cause);
    }

    /**
     * Parses a duration: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, or ISO-8601.
     *
     * @param text the text
     * @return the duration
     * @throws IllegalArgumentException if it does not parse or is negative
     */
    public static Duration parseDuration(String text) {
        Duration value;
        if (text.startsWith("P") || text.startsWith("p")) {
            try {
                value = Duration.parse(text);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(text, e);
            }
        } else {
            int unit = 0;
            while (unit < text.length() && Character.isDigit(text.charAt(unit))) {
                unit++;
            }
            if (unit == 0 || unit > 12) {
                throw new IllegalArgumentException(text);
            }
            long amount = Long.parseLong(text.substring(0, unit));
            value = switch (text.substring(unit)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> throw new IllegalArgumentException(text);
            };
        }
        if (value.isNegative()) {
            throw new IllegalArgumentException(text);
        }
        return value;
    }
}
