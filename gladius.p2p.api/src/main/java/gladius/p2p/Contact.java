package gladius.p2p;

import java.util.Comparator;
import java.util.Objects;

/**
 * A node to dial and the key it must prove there: written {@code KEYHEX@HOST:PORT}, as Ethereum
 * writes {@code enode://KEY@HOST:PORT}. What {@link Network#add(Contact)} takes, and what a user
 * gives wherever a node's address is asked for in a network with keys. Added to the original
 * contract.
 *
 * @param key the key the node must prove
 * @param address where it is
 */
public record Contact(NodeKey key, NodeAddress address) implements Comparable<Contact> {

    private static final Comparator<Contact> ORDER = Comparator.comparing(Contact::key).thenComparing(Contact::address);

    /**
     * A contact of a key and an address, both required.
     *
     * @param key the key the node must prove
     * @param address where it is
     * @throws NullPointerException if either is null
     */
    public Contact {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(address, "address");
    }

    /**
     * Parses {@code KEYHEX@HOST:PORT} (the address as {@link NodeAddress#parse} takes it).
     *
     * @param text the contact's text
     * @return the contact
     * @throws IllegalArgumentException if it is not one
     */
    public static Contact parse(String text) {
        Objects.requireNonNull(text, "text");
        int at = text.indexOf('@');
        if (at < 0) {
            throw new IllegalArgumentException("a contact is KEYHEX@HOST:PORT: no '@' in '" + text + "'");
        }
        NodeKey key;
        try {
            key = NodeKey.parse(text.substring(0, at));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a contact is KEYHEX@HOST:PORT: " + e.getMessage(), e);
        }
        return new Contact(key, NodeAddress.parse(text.substring(at + 1)));
    }

    /** {@return {@code KEYHEX@HOST:PORT}; {@code parse(c.toString()).equals(c)} always holds} */
    @Override
    public String toString() {
        return key + "@" + address;
    }

    @Override
    public int compareTo(Contact other) {
        return ORDER.compare(this, other);
    }
}
