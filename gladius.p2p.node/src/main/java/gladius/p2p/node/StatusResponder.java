package gladius.p2p.node;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.Plugin;
import java.nio.charset.StandardCharsets;

/**
 * Answers {@value #REQUEST} with the node's {@link Report#full report} as UTF-8 text in a
 * {@value #REPLY}, to whoever asks: what {@code gladius status host:port} reads. The report holds
 * nothing discovery would not tell anyone (addresses, counters, round trips). A request whose
 * body is {@value #WITH_ENTRIES} also gets the signed entries, which every peer holds anyway.
 */
final class StatusResponder implements Plugin {

    static final String REQUEST = "gladius/status";
    static final String REPLY = "gladius/status-reply";
    static final String WITH_ENTRIES = "entries";

    private volatile Network network;

    @Override
    public void startup(Network network) {
        this.network = network;
    }

    @Override
    public void newMessage(Message message) {
        Network net = network;
        if (net != null && message.type().equals(REQUEST)) {
            String report = Report.full(net, message.sender());
            if (WITH_ENTRIES.equals(new String(message.bodyBytes(), StandardCharsets.UTF_8))) {
                report += Parts.ethstate() && EthStateView.of(net).isPresent()
                        ? "signed entries: " + EthStateView.entries(net) + "\n" + EthStateView.listing(net)
                        : "signed entries: none (the ethstate plugin is not running)\n";
            }
            net.broadcast(net.newMessage(REPLY, report.getBytes(StandardCharsets.UTF_8)), message.sender());
        }
    }
}
