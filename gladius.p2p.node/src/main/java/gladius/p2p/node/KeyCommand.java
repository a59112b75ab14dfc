package gladius.p2p.node;

import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gladius key}: a secure node's key (the static X25519 key its handshakes prove), from its secret key (a
 * file or hex, as {@code kcp.node-key} takes it), or a new private key written to a file. The
 * public key is what the node's peers list in {@code kcp.allow-keys}; the transport derives it
 * (the command asks a secure network on a loopback port for {@code NetworkState.staticKey()}), so
 * the command needs nothing beyond the api.
 */
@Command(name = "key", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print a secure node's static public key (for its peers' kcp.allow-keys),",
                "from its private key, or make a new private key file and print its public key."})
final class KeyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--node-key", paramLabel = "FILE|HEX", required = true,
                description = "The node's secret key: a file holding 64 hex digits, or the digits (as kcp.node-key).")
        String nodeKey;

        @Option(names = "--new", paramLabel = "FILE", required = true,
                description = "Write a new private key to FILE (which must not exist; owner-only permissions), then print its public key.")
        Path newKey;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String nodeKey = source.nodeKey;
        if (source.newKey != null) {
            writeNewKey(source.newKey, "--new");
            nodeKey = source.newKey.toString();
            out.println("gladius: wrote a new node key to " + source.newKey + " (run with --set kcp.node-key=" + source.newKey + ")");
        }
        out.println(publicKey(nodeKey));
        out.flush();
        return 0;
    }

    /** The public key of this private key, in hex, as the transport derives it. */
    static String publicKey(String nodeKey) {
        Network network = Networks.create(Map.of("kcp.secure", "true", "kcp.node-key", nodeKey, "plugins", "none"));
        try {
            Networks.listen(network, NodeAddress.parse("127.0.0.1:0"));
            return network.networkState().staticKey().map(HexFormat.of()::formatHex)
                    .orElseThrow(() -> new UserError("the transport on the module path has no static keys"));
        } finally {
            network.close();
        }
    }

    /** Writes a new node key to a file that must not exist, readable by its owner only; {@code option} names it in errors. */
    static void writeNewKey(Path file, String option) {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret); // any 32 bytes are a node key (an Ed25519 secret, RFC 8032)
        String text = HexFormat.of().formatHex(secret) + System.lineSeparator();
        try {
            Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // Elsewhere the folder's permissions are what protect it.
            }
        } catch (FileAlreadyExistsException e) {
            throw new UserError(option + " " + file + ": the file exists; a node key is never overwritten");
        } catch (IOException e) {
            throw new UserError(option + " " + file + ": cannot write it (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }
}
