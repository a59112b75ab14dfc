package gladius.p2p.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code gladius demo} in this JVM: a summary that agrees with what it printed before, and phases that end when they cannot converge. */
class DemoCommandTest {

    private record Result(int exit, String out, String err, long millis) {}

    private static Result gladius(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        long start = System.nanoTime();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(exit, out.toString(), err.toString(), (System.nanoTime() - start) / 1_000_000);
    }

    private static Matcher find(String pattern, String text) {
        Matcher m = Pattern.compile(pattern, Pattern.MULTILINE).matcher(text);
        assertTrue(m.find(), pattern + " in:\n" + text);
        return m;
    }

    @Test
    void theSummaryAgreesWithTheProgressLinesAndTheTable() {
        Result demo = gladius("demo", "--nodes", "6");
        String text = demo.out();
        assertEquals(0, demo.exit(), demo.err() + text);
        // The discovery bar's last line and the summary give the same count.
        List<String> bars = text.lines().filter(l -> l.startsWith("discovery ")).toList();
        Matcher lastBar = find("(\\d+)/(\\d+) known peers", bars.get(bars.size() - 1));
        Matcher summary = find("^  discovery +converged in [0-9.]+ s \\((\\d+)/(\\d+) known peers", text);
        assertEquals(lastBar.group(1), summary.group(1), text);
        // The summary's worst p90 and max are the table's largest p90 and max.
        double tableP90 = 0;
        double tableMax = 0;
        for (String row : text.lines().filter(l -> l.startsWith("127.0.0.1:")).toList()) {
            String[] cells = row.trim().split("\\s+");
            tableP90 = Math.max(tableP90, Double.parseDouble(cells[4]));
            tableMax = Math.max(tableMax, Double.parseDouble(cells[6]));
        }
        Matcher roundTrip = find("worst p90 ([0-9.]+) ms, worst max ([0-9.]+) ms", text);
        assertEquals(tableP90, Double.parseDouble(roundTrip.group(1)), text);
        assertEquals(tableMax, Double.parseDouble(roundTrip.group(2)), text);
        Matcher messages = find("sent (\\d+), received (\\d+), dropped (\\d+)", text);
        assertTrue(Long.parseLong(messages.group(2)) <= Long.parseLong(messages.group(1)), "never more received than sent: " + text);
        assertTrue(text.contains("result: everything converged"), text);
    }

    @Test
    void aPhaseThatCannotConvergeEndsEarlyAndSaysWhy() {
        // Only an address no node has may publish: every node keeps its own entry and refuses the others'.
        Result demo = gladius("demo", "--nodes", "3", "--set", "ethstate.allow=0x0000000000000000000000000000000000000001");
        assertEquals(1, demo.exit(), demo.out());
        assertTrue(demo.out().contains("state: stopped at 3/9 entries held: no progress for 10 s"), demo.out());
        assertTrue(demo.out().contains("NOT agreed"), demo.out());
        assertTrue(demo.millis() < 45_000, "well before the 60 s timeout: " + demo.millis() + " ms");
    }

    @Test
    void moreNodesThanOneProcessCarriesIsRefusedWithWhatToDo() {
        Result tooMany = gladius("demo", "--nodes", "100");
        assertEquals(2, tooMany.exit());
        assertTrue(tooMany.err().contains("discovery.max-peers=16"), tooMany.err());
        Result beyond = gladius("demo", "--nodes", "201");
        assertEquals(2, beyond.exit());
        assertTrue(beyond.err().contains("from 2 to 200"), beyond.err());
    }
}
