package gladius.p2p.node;

import gladius.p2p.Contact;
import gladius.p2p.NodeAddress;
import gladius.p2p.NodeKey;
import java.util.Optional;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A node as a user names it on the command line: {@code HOST:PORT}, or {@code KEYHEX@HOST:PORT}
 * with the key it must prove (a secure network; the node's key is what {@code gladius run} and
 * {@code gladius key} print).
 */
record Contacts(NodeAddress address, Optional<NodeKey> key) {

    /** The text form, as discovery.seeds takes it. */
    @Override
    public String toString() {
        return key.map(k -> new Contact(k, address).toString()).orElse(address.toString());
    }

    /** The picocli converter. */
    static final class Converter implements ITypeConverter<Contacts> {
        @Override
        public Contacts convert(String value) {
            try {
                if (value.indexOf('@') >= 0) {
                    Contact contact = Contact.parse(value);
                    return new Contacts(contact.address(), Optional.of(contact.key()));
                }
                return new Contacts(NodeAddress.parse(value), Optional.empty());
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + (value.indexOf('@') >= 0 ? "KEY" + value.substring(value.indexOf('@')) : value)
                        + "' is not HOST:PORT or KEYHEX@HOST:PORT (such as 127.0.0.1:7000, or 64 hex digits@[::1]:7000): "
                        + e.getMessage());
            }
        }
    }
}
