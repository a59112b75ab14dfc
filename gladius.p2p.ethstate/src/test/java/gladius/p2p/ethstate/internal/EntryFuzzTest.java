package gladius.p2p.ethstate.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.testing.Fuzz;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;

/** Generated ethstate bodies: the parsers never throw, and never return more than the bytes can hold. */
class EntryFuzzTest {

    @Test
    void entriesParseWithinTheirLimitsOrAreRefused() {
        Fuzz.run("ethstate entries", 200_000, 31, random -> {
            byte[] body = Fuzz.bytes(random, 2000, 40);
            if (body.length >= 7 && random.nextBoolean()) {
                ByteBuffer.wrap(body).put((byte) 1).putShort((short) 1).putInt(body.length - 7 - 65); // one entry, length agreeing
            }
            EntryCodec.parseEntries(ByteBuffer.wrap(body), 16_384).ifPresent(entries -> entries.forEach(entry ->
                    assertTrue(entry.value().length <= 16_384 && entry.payload().length <= body.length && entry.signature().length == 65)));
        });
    }

    @Test
    void digestsParseWithinTheirLimitsOrAreRefused() {
        Fuzz.run("ethstate digests", 200_000, 32, random -> {
            byte[] body = Fuzz.bytes(random, 2000, 42);
            if (body.length >= 6 && random.nextBoolean()) {
                ByteBuffer.wrap(body).put((byte) 1).put((byte) random.nextInt(2)).putInt((body.length - 6) / EntryCodec.DIGEST_ITEM_BYTES);
            }
            EntryCodec.parseDigest(ByteBuffer.wrap(body), 20_000).ifPresent(digest ->
                    assertTrue(digest.items().size() * EntryCodec.DIGEST_ITEM_BYTES <= body.length));
        });
    }

    @Test
    void keystoreJsonReadsBackEveryValueWrittenWithAnySpacingAndEscapes() {
        Fuzz.run("keystore json, well formed", 20_000, 34, random -> {
            Object value = value(random, 0);
            String text = write(value, random);
            assertEquals(value, Json.parse(text), text);
        });
    }

    @Test
    void keystoreJsonRefusesGarbageOnlyWithIllegalArgumentAndWhatItTakesReadsTheSameWrittenBack() {
        String alphabet = "{}[]\\\":,.-+0123456789eEtruefalsnl \\u00e9x";
        Fuzz.run("keystore json, garbage", 50_000, 33, random -> {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(120); i > 0; i--) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            Object parsed;
            try {
                parsed = Json.parse(text.toString());
            } catch (IllegalArgumentException refused) {
                assertTrue(refused.getMessage().startsWith("not valid JSON at offset "), refused.getMessage());
                return;
            }
            assertEquals(parsed, Json.parse(write(parsed, random)), "what was taken from " + text);
        });
    }

    /** A random JSON value of the types Json returns: Map, List, String, BigDecimal, Boolean, null. */
    private static Object value(SplittableRandom random, int depth) {
        switch (random.nextInt(depth < 4 ? 7 : 5)) {
            case 0:
                return null;
            case 1:
                return random.nextBoolean();
            case 2:
                return new BigDecimal(random.nextBoolean() ? Long.toString(random.nextLong())
                        : random.nextInt(-1000, 1000) + "." + random.nextInt(1000) + "e" + random.nextInt(-20, 20));
            case 3:
            case 4:
                return string(random);
            case 5: {
                List<Object> list = new ArrayList<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    list.add(value(random, depth + 1));
                }
                return list;
            }
            default: {
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    map.put(string(random), value(random, depth + 1));
                }
                return map;
            }
        }
    }

    private static String string(SplittableRandom random) {
        StringBuilder out = new StringBuilder();
        for (int i = random.nextInt(12); i > 0; i--) {
            out.append(switch (random.nextInt(4)) {
                case 0 -> (char) random.nextInt(0x20);          // must be escaped
                case 1 -> "\"\\/".charAt(random.nextInt(3));
                case 2 -> (char) random.nextInt(0x80, 0xd800);  // beyond ASCII
                default -> (char) random.nextInt(0x20, 0x7f);
            });
        }
        return out.toString();
    }

    /** JSON text for a value, with random spacing and a random choice of escapes where both are allowed. */
    private static String write(Object value, SplittableRandom random) {
        String space = List.of("", " ", "\n", "\t ", "\r\n").get(random.nextInt(5));
        if (value == null) {
            return space + "null";
        }
        if (value instanceof Boolean || value instanceof BigDecimal) {
            return space + value + space;
        }
        if (value instanceof String text) {
            StringBuilder out = new StringBuilder(space).append('"');
            for (char c : text.toCharArray()) {
                if (c == '"' || c == '\\') {
                    out.append('\\').append(c);
                } else if (c < 0x20 || (c > 0x7e && random.nextBoolean())) {
                    out.append(String.format("\\u%04x", (int) c));
                } else if (c == '/' && random.nextBoolean()) {
                    out.append("\\/");
                } else {
                    out.append(c);
                }
            }
            return out.append('"').append(space).toString();
        }
        if (value instanceof List<?> list) {
            StringJoiner out = new StringJoiner(",", space + "[" + space, space + "]" + space);
            list.forEach(item -> out.add(write(item, random)));
            return out.toString();
        }
        StringJoiner out = new StringJoiner(",", space + "{" + space, space + "}" + space);
        ((Map<?, ?>) value).forEach((name, item) -> out.add(write(name, random) + ":" + write(item, random)));
        return out.toString();
    }
}
