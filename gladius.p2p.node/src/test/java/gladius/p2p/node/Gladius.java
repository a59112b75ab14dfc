package gladius.p2p.node;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/** Runs the {@code gladius} command in this JVM, as the command-line tests do. */
final class Gladius {

    /** What a run printed, and its exit code. */
    record Result(int exit, String out, String err) {
        /** The last line of the output (the key, for {@code gladius key}). */
        String key() {
            List<String> lines = out.lines().toList();
            return lines.get(lines.size() - 1);
        }
    }

    private Gladius() {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(exit, out.toString(), err.toString());
    }
}
