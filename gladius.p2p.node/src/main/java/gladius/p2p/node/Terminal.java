package gladius.p2p.node;

import java.util.Locale;

/**
 * Text from the network on its way to a person's terminal: every character that a terminal would
 * act on instead of showing (C0 and C1 controls, so ANSI and OSC escape sequences, and the bidi
 * overrides that reorder what is shown) is written as {@code \\uXXXX}. A signed entry's key is
 * whatever its signer chose; it must not be able to retitle a window, move the cursor or hide a
 * line of {@code gladius status}.
 */
final class Terminal {

    private Terminal() {}

    /** The text with every such character escaped; line breaks too, so one value stays one line. */
    static String safe(String text) {
        return escape(text, false);
    }

    /** The same, keeping line breaks: for a whole report of many lines. */
    static String safeLines(String text) {
        return escape(text, true);
    }

    private static String escape(String text, boolean keepNewlines) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean unsafe = (Character.isISOControl(c) && !(keepNewlines && c == '\n'))
                    || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069') || c == '\u200e' || c == '\u200f';
            if (unsafe && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                if (unsafe) {
                    out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? text : out.toString();
    }
}
