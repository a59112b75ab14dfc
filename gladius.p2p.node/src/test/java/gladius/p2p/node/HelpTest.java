package gladius.p2p.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** Every subcommand answers --help, -h and {@code gladius help NAME} with its usage, exit code 0, and asks for nothing else. */
class HelpTest {

    @ParameterizedTest(name = "gladius {0}")
    @CsvSource(delimiter = '|', value = {
        "--help          | Usage: gladius [",
        "-h              | Usage: gladius [",
        "help            | Usage: gladius [",
        "run --help      | Usage: gladius run",
        "run -h          | Usage: gladius run",
        "help run        | Usage: gladius run",
        "demo --help     | Usage: gladius demo",
        "demo -h         | Usage: gladius demo",
        "help demo       | Usage: gladius demo",
        "status --help   | Usage: gladius status",
        "status -h       | Usage: gladius status",
        "help status     | Usage: gladius status",
        "key --help      | Usage: gladius key",
        "key -h          | Usage: gladius key",
        "help key        | Usage: gladius key",
    })
    void helpIsTheUsageAndExitsZero(String args, String usage) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new GladiusCommand())
                .setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        int exit = command.execute(List.of(args.trim().split("\\s+")).toArray(String[]::new));
        assertEquals(0, exit, err.toString());
        assertTrue(out.toString().startsWith(usage), out.toString());
        assertEquals("", err.toString());
    }
}
