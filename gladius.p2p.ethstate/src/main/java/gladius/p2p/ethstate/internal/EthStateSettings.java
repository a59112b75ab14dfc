package gladius.p2p.ethstate.internal;

import gladius.p2p.spi.SettingsReader;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/**
 * The {@code ethstate.*} settings, checked once; the key is loaded here, so a bad key, keystore or
 * password fails {@code Network.create} with the setting's name. Neither the key nor the password
 * is ever put into a message.
 *
 * @param key the node's key
 * @param generated true if no key was given and this one is fresh
 * @param allow addresses (lower-case hex) allowed to publish; empty allows everyone
 * @param interval time between anti-entropy rounds
 * @param fanout peers per round and per relay
 * @param maxEntries entries held at most
 * @param maxValueBytes the largest value
 * @param maxClockSkew how far ahead a timestamp may be
 */
record EthStateSettings(Secp256k1.KeyPair key, boolean generated, Set<String> allow, Duration interval, int fanout,
                        int maxEntries, int maxValueBytes, Duration maxClockSkew) {

    static final String PREFIX = "ethstate.";
    private static final int MAX_KEYSTORE_BYTES = 1 << 20;

    private static final Map<String, String> DEFAULTS = Map.of(
            "ethstate.private-key", "",
            "ethstate.keystore", "",
            "ethstate.password", "",
            "ethstate.allow", "",
            "ethstate.interval", "1s",
            "ethstate.fanout", "2",
            "ethstate.max-entries", "10000",
            "ethstate.max-value-bytes", "16384",
            "ethstate.max-clock-skew", "30s");

    /** Every key this part reads, with its default ("" for none), for the provider's {@code defaults()}. */
    static Map<String, String> defaults() {
        return DEFAULTS;
    }

    static EthStateSettings from(Map<String, String> settings) {
        SettingsReader r = SettingsReader.of(settings, PREFIX, DEFAULTS);
        Set<String> allow = new HashSet<>(r.list("ethstate.allow",
                text -> HexFormat.of().formatHex(Addresses.parse(text)), "Ethereum addresses"));
        Duration interval = r.duration("ethstate.interval", Duration.ofMillis(10), Duration.ofHours(1));
        int fanout = r.integer("ethstate.fanout", 1, 1024);
        int maxEntries = r.integer("ethstate.max-entries", 1, 20_000);
        int maxValueBytes = r.integer("ethstate.max-value-bytes", 0, 65_536);
        Duration skew = r.duration("ethstate.max-clock-skew", Duration.ZERO, Duration.ofDays(1));

        boolean hasKey = r.optional("ethstate.private-key").isPresent();
        boolean hasKeystore = r.optional("ethstate.keystore").isPresent();
        if (hasKey && hasKeystore) {
            throw new IllegalArgumentException("setting ethstate.private-key and setting ethstate.keystore are both set: choose one");
        }
        if (r.optional("ethstate.password").isPresent() && !hasKeystore) {
            throw new IllegalArgumentException("setting ethstate.password is set without setting ethstate.keystore");
        }
        Secp256k1.KeyPair key;
        if (hasKey) {
            key = privateKey(r.text("ethstate.private-key"));
        } else if (hasKeystore) {
            key = keystore(r.text("ethstate.keystore"), r.optional("ethstate.password").orElseThrow(
                    () -> new IllegalArgumentException("setting ethstate.password is needed to open setting ethstate.keystore")));
        } else {
            key = Secp256k1.KeyPair.random(new SecureRandom());
        }
        return new EthStateSettings(key, !hasKey && !hasKeystore, Set.copyOf(allow), interval, fanout, maxEntries, maxValueBytes, skew);
    }

    private static Secp256k1.KeyPair privateKey(String text) {
        String digits = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
        try {
            if (digits.length() != 64) {
                throw new IllegalArgumentException("length");
            }
            return Secp256k1.KeyPair.of(new BigInteger(1, HexFormat.of().parseHex(digits)));
        } catch (IllegalArgumentException e) {
            // The value is a secret: the message names the setting, never the text.
            throw new IllegalArgumentException("setting ethstate.private-key must be 64 hex digits (0x optional) "
                    + "of a secp256k1 key from 1 to n-1");
        }
    }

    private static Secp256k1.KeyPair keystore(String file, String password) {
        Path path = Path.of(file);
        String json;
        try {
            if (Files.size(path) > MAX_KEYSTORE_BYTES) {
                throw new IllegalArgumentException("setting ethstate.keystore: " + file + " is larger than a keystore can be");
            }
            json = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("setting ethstate.keystore: cannot read " + file + ": " + e, e);
        }
        try {
            return Secp256k1.KeyPair.of(new BigInteger(1, Keystore.decrypt(json, password)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("setting ethstate.keystore: " + file + ": " + e.getMessage(), e);
        }
    }
}
